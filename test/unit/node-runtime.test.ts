import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_RUNTIME_FLAGS } from '../../src/cli/node-runtime.js';

describe('node runtime flags', () => {
  it('the Docker image starts nodes with the same flags as arith up and the harness', () => {
    const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const entry = /^ENTRYPOINT (.*)$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(entry ?? '[]')).toEqual(['node', ...NODE_RUNTIME_FLAGS, 'dist/cli/arith-node.js']);
  });
});
