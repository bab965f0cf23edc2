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

  it('loads prom-client with the first scrape, which shows every count since the start', async () => {
    const call = { jsonrpc: '2.0', id: 1, method: 'Arith.Multiply', params: [6, 7] };
    const res = await fetch(`${node.http}/`, { method: 'POST', body: JSON.stringify([call, call]) });
    expect(await res.text()).toContain('42');
    expect(loaded().filter((f) => f.includes('/node_modules/prom-client/'))).toEqual([]);
    const body = await (await fetch(`${node.http}/metrics`)).text();
    expect(loaded().some((f) => f.includes('/node_modules/prom-client/'))).toBe(true);
    expect(body).toMatch(/^arith_calls_total\{method="Arith.Multiply",outcome="ok"[^}]*\} 2$/m);
    expect(body).toMatch(/^arith_requests_total\{transport="http"[^}]*\} 1$/m);
    expect(body).toMatch(/^arith_batch_size_sum\{[^}]*\} 2$/m);
    expect(body).toMatch(/^process_resident_memory_bytes/m);
  });
});
