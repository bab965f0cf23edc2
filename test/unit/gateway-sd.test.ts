import { describe, expect, it } from 'vitest';
import { int64Result } from '../../src/gateway/int64-result.js';
import { sdTargets } from '../../src/gateway/service-discovery.js';
import type { NodeInfo } from '../../src/registry/types.js';

const node = (id: string, http: string): NodeInfo => ({
  v: 1,
  id,
  endpoints: { http, tcp: '127.0.0.1:1' },
  methods: ['Arith.Add'],
  weight: 1,
  version: '1.2.3',
  startedAt: '2026-01-01T00:00:00.000Z',
  pid: 1,
  hostname: 'h',
});

describe('sdTargets', () => {
  it('is [] without nodes', () => {
    expect(sdTargets([], 'arith')).toEqual([]);
  });

  it("lists each node's HTTP host:port with __meta_arith_* labels, sorted by id", () => {
    const nodes = [node('b', 'http://127.0.0.1:7072'), node('a', 'http://[::1]:7070')];
    expect(sdTargets(nodes, 'prod')).toEqual([
      {
        targets: ['[::1]:7070'],
        labels: { __meta_arith_node_id: 'a', __meta_arith_namespace: 'prod', __meta_arith_version: '1.2.3' },
      },
      {
        targets: ['127.0.0.1:7072'],
        labels: { __meta_arith_node_id: 'b', __meta_arith_namespace: 'prod', __meta_arith_version: '1.2.3' },
      },
    ]);
  });

  it('leaves out a node whose HTTP endpoint is not a URL with a port', () => {
    expect(sdTargets([node('x', 'not a url'), node('y', 'http://h')], 'arith')).toEqual([]);
  });
});

describe('int64Result', () => {
  it('turns decimal strings that fit int64 into bigints, at the top and in {Quo, Rem}', () => {
    expect(int64Result('9223372036854775807')).toBe(9223372036854775807n);
    expect(int64Result({ Quo: '-9223372036854775808', Rem: 1 })).toEqual({
      Quo: -9223372036854775808n,
      Rem: 1,
    });
  });

  it('keeps larger integers as strings and other values as they are', () => {
    expect(int64Result('9223372036854775808')).toBe('9223372036854775808');
    expect(int64Result('1'.repeat(30))).toBe('1'.repeat(30));
    expect(int64Result(56)).toBe(56);
    expect(int64Result('abc')).toBe('abc');
    expect(int64Result(null)).toBe(null);
  });
});
