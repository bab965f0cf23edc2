import { describe, expect, it } from 'vitest';
import { encodeCalls, type Reply, routeReplies } from '../../src/protocol/batch-codec.js';

describe('batch codec', () => {
  it('encodes calls as JSON-RPC 2.0 requests with consecutive ids, in order', () => {
    const calls = [
      { method: 'Arith.Multiply', params: { A: 7, B: 8 } },
      { method: 'Arith.Sum', params: ['1', '2', '3'] },
      { method: 'we"ird', params: [] },
    ];
    const parsed = JSON.parse(`[${encodeCalls(calls, 41)}]`);
    expect(parsed).toEqual([
      { jsonrpc: '2.0', id: 41, method: 'Arith.Multiply', params: { A: 7, B: 8 } },
      { jsonrpc: '2.0', id: 42, method: 'Arith.Sum', params: ['1', '2', '3'] },
      { jsonrpc: '2.0', id: 43, method: 'we"ird', params: [] },
    ]);
    expect(encodeCalls([], 1)).toBe('');
  });

  it('routes replies by id in any order, once per call, ignoring foreign and repeated ids', () => {
    const seen: [number, Reply][] = [];
    const answered = routeReplies(
      [
        { id: 12, result: 'c' },
        { id: 10, error: { code: 1001 } },
        { id: 12, result: 'again' },
        { id: 9, result: 'before' },
        { id: 13, result: 'after' },
        { id: '11', result: 'string id' },
        null,
      ],
      10,
      3,
      (index, reply) => seen.push([index, reply]),
    );
    expect(seen).toEqual([
      [2, { id: 12, result: 'c' }],
      [0, { id: 10, error: { code: 1001 } }],
    ]);
    expect(answered).toEqual([true, false, true]);
  });
});
