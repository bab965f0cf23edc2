import { describe, expect, it } from 'vitest';
import { DEADLINE_METHOD, deadlineAt, deadlineNote, takeDeadlineNote } from '../../src/protocol/deadline.js';

describe('deadline passing', () => {
  it('caps an asked deadline by the request timeout and ignores nonsense', () => {
    expect(deadlineAt('250', 30_000, 1_000)).toBe(1_250);
    expect(deadlineAt(99_999, 30_000, 1_000)).toBe(31_000);
    for (const bad of [undefined, '', 'abc', -5, 0, Number.NaN, {}, [1, 2]]) {
      expect(deadlineAt(bad, 30_000, 1_000)).toBe(31_000);
    }
  });

  it('round-trips the TCP note and leaves messages without one alone', () => {
    const line = `[${deadlineNote(123.2)}{"jsonrpc":"2.0","id":1,"method":"Arith.Multiply","params":{"A":1,"B":2}}]`;
    const { message, askedMs } = takeDeadlineNote(JSON.parse(line));
    expect(askedMs).toBe(124);
    expect(message).toEqual([{ jsonrpc: '2.0', id: 1, method: 'Arith.Multiply', params: { A: 1, B: 2 } }]);
    const plain = [
      { jsonrpc: '2.0', id: 1, method: 'Arith.Multiply', params: {} },
      { jsonrpc: '2.0', id: 2 },
    ];
    expect(takeDeadlineNote(plain)).toEqual({ message: plain, askedMs: undefined });
    // A call (it has an id) named rpc.deadline is not a note: the dispatcher answers it as unknown.
    const call = [{ jsonrpc: '2.0', id: 1, method: DEADLINE_METHOD, params: [5] }, { id: 2 }];
    expect(takeDeadlineNote(call).askedMs).toBeUndefined();
    expect(
      takeDeadlineNote({ jsonrpc: '2.0', method: DEADLINE_METHOD, params: [5] }).askedMs,
    ).toBeUndefined();
    expect(takeDeadlineNote([null, 1]).askedMs).toBeUndefined();
  });
});
