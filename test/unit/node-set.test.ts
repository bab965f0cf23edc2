import { describe, expect, it } from 'vitest';
import { NodeSet } from '../../src/registry/node-set.js';
import type { NodeInfo } from '../../src/registry/types.js';

const prefix = '/ns/nodes/';

function info(id: string, weight = 1): NodeInfo {
  return {
    v: 1,
    id,
    endpoints: { http: 'http://127.0.0.1:7070', tcp: '127.0.0.1:7071' },
    methods: ['Arith.Multiply'],
    weight,
    version: '0.1.0',
    startedAt: '2024-01-01T00:00:00.000Z',
    pid: 1,
    hostname: 'h',
  };
}

function kv(id: string, modRevision: number, value: NodeInfo | string = info(id)) {
  return {
    key: `${prefix}${id}`,
    value: typeof value === 'string' ? value : JSON.stringify(value),
    modRevision: String(modRevision),
  };
}

describe('NodeSet', () => {
  it('adds, updates (with previous), ignores identical re-puts, and removes', () => {
    const set = new NodeSet(prefix);
    expect(set.put(kv('a', 2)).changes).toEqual([{ type: 'added', node: info('a') }]);
    expect(set.put(kv('a', 3)).changes).toEqual([]); // same value, new lease: no change
    expect(set.put(kv('a', 4, info('a', 5))).changes).toEqual([
      { type: 'updated', node: info('a', 5), previous: info('a') },
    ]);
    expect(set.delete(`${prefix}a`).changes).toEqual([{ type: 'removed', node: info('a', 5) }]);
    expect(set.delete(`${prefix}a`).changes).toEqual([]);
    expect(set.size).toBe(0);
  });

  it('skips invalid values, reports each key + modRevision once, and removes a node that turns invalid', () => {
    const set = new NodeSet(prefix);
    set.put(kv('a', 2));
    const bad = set.put(kv('a', 3, '{"v":2}'));
    expect(bad.changes).toEqual([{ type: 'removed', node: info('a') }]);
    expect(bad.invalid).toHaveLength(1);
    expect(set.replace([kv('a', 3, '{"v":2}')]).invalid).toEqual([]); // same key + modRevision
    expect(set.put(kv('a', 4, 'not json')).invalid).toHaveLength(1);
    expect(set.put(kv('b', 5, info('c'))).invalid[0]?.reason).toMatch(/does not match the key/);
    expect(set.put({ ...kv('x', 6), key: `${prefix}x/y` }).invalid[0]?.reason).toMatch(/node id/);
    expect(set.put(kv('a', 7)).changes).toEqual([{ type: 'added', node: info('a') }]);
  });

  it('replace returns the diff between the set and a listing, sorted by kind then id', () => {
    const set = new NodeSet(prefix);
    set.replace([kv('a', 2), kv('b', 3), kv('c', 4)]);
    const { changes } = set.replace([kv('b', 3), kv('c', 5, info('c', 2)), kv('d', 6), kv('e', 7, '{}')]);
    expect(changes.map((c) => `${c.type}:${c.node.id}`)).toEqual(['removed:a', 'updated:c', 'added:d']);
    expect(set.list().map((n) => n.id)).toEqual(['b', 'c', 'd']);
    expect(set.get('c')?.weight).toBe(2);
  });
});
