import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';

const PRELOAD = fileURLToPath(new URL('../support/log-modules.mjs', import.meta.url));

const endpoints = inject('etcdEndpoints');
let node: NodeProcess;

beforeAll(async () => {
  node = await startNode({
    etcd: endpoints,
    namespace: 'lazy',
    env: { NODE_OPTIONS: `--import ${PRELOAD}` },
    waitFor: 'queue worker started',
  });
});
afterAll(stopAllNodes);

/** loaded lists the modules the node has loaded so far, as the preload logged them. */
function loaded(): string[] {
  return node
    .logs()
    .filter((l) => l.startsWith('MODULE '))
    .map((l) => l.slice('MODULE '.length));
}

describe('a registered node at rest', () => {
  it('has not loaded what only a job or a foreign registry value needs (zod, the results store)', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const files = loaded();
    expect(files.some((f) => f.includes('/etcd3/'))).toBe(true); // the preload sees what loads
    expect(files.filter((f) => f.includes('/node_modules/zod/'))).toEqual([]);
    expect(files.filter((f) => /queue-worker-work|store-many|node-info|result-record/.test(f))).toEqual([]);
  });
});
