import { describe, expect, it } from 'vitest';
import { encodeCall, encodeCalls, type Reply, routeReplies } from '../../src/protocol/batch-codec.js';

describe('batch codec', () => {
  it('encodes calls as JSON-RPC 2.0 requests with consecutive ids, in order', () => {
    const calls = [
      { method: 'Arith.Multiply', params: { A: 7, B: 8 } },
      { method: 'Arith.Sum', params: ['1', '2', '3'] },
      { method: 'we"ird', params: [] },
    ];
    const parsed = JSON.parse(`[${encodeCalls(calls, 41).text}]`);
    expect(parsed).toEqual([
      { jsonrpc: '2.0', id: 41, method: 'Arith.Multiply', params: { A: 7, B: 8 } },
      { jsonrpc: '2.0', id: 42, method: 'Arith.Sum', params: ['1', '2', '3'] },
      { jsonrpc: '2.0', id: 43, method: 'we"ird', params: [] },
    ]);
    expect(encodeCalls([], 1).text).toBe('');
  });

  it('omits undefined params and leaves out only the calls whose params are not JSON', () => {
    const circular: Record<string, unknown> = { A: 1 };
    circular.self = circular;
    const throwing = {
      toJSON: () => {
        throw new Error('nope');
      },
    };
    const calls = [
      { method: 'Arith.Add', params: [1, 2] },
      { method: 'Arith.Add', params: undefined },
      { method: 'Arith.Add', params: () => 1 },
      { method: 'Arith.Add', params: Symbol('s') },
      { method: 'Arith.Add', params: circular },
      { method: 'Arith.Add', params: { A: 1n, B: 2 } },
      { method: 'Arith.Add', params: throwing },
      { method: 7 as unknown as string, params: [1, 2] },
      { method: 'Arith.Multiply', params: [3, 4] },
    ];
    const bad: number[] = [];
    const { text, sent } = encodeCalls(calls, 10, (c, error) => {
      expect(error).toBeInstanceOf(TypeError);
      bad.push(calls.indexOf(c));
    });
    expect(bad).toEqual([2, 3, 4, 5, 6, 7]);
    expect(sent).toEqual([calls[0], calls[1], calls[8]]);
    expect(JSON.parse(`[${text}]`)).toEqual([
      { jsonrpc: '2.0', id: 10, method: 'Arith.Add', params: [1, 2] },
      { jsonrpc: '2.0', id: 11, method: 'Arith.Add' },
      { jsonrpc: '2.0', id: 12, method: 'Arith.Multiply', params: [3, 4] },
    ]);
    const good = calls.slice(0, 2);
    expect(encodeCalls(good, 1).sent).toBe(good); // no copy when every call encodes
    expect(() => encodeCall('Arith.Add', circular, 1)).toThrow(/Arith.Add: params cannot be encoded as JSON/);
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
