import { describe, expect, it } from 'vitest';
import { callDeadlines } from '../../src/node/call-deadlines.js';
import {
  CALL_DEADLINES_HEADER,
  callDeadlinesAt,
  DEADLINE_METHOD,
  deadlineAt,
  deadlineNote,
  takeDeadlineNote,
} from '../../src/protocol/deadline.js';

describe('deadline passing', () => {
  it('caps an asked deadline by the request timeout and ignores nonsense', () => {
    expect(deadlineAt('250', 30_000, 1_000)).toBe(1_250);
    expect(deadlineAt(99_999, 30_000, 1_000)).toBe(31_000);
    for (const bad of [undefined, '', 'abc', -5, 0, Number.NaN, {}, [1, 2]]) {
      expect(deadlineAt(bad, 30_000, 1_000)).toBe(31_000);
    }
  });

  it('ignores, without throwing, asked values that Number() cannot convert (parsed from a TCP note)', () => {
    const unconvertible = JSON.parse('{"valueOf":1,"toString":1}') as unknown;
    for (const bad of [unconvertible, [unconvertible], Object.create(null) as unknown]) {
      expect(deadlineAt(bad, 30_000, 1_000)).toBe(31_000);
      expect(callDeadlinesAt([bad], 1, 30_000, 1_000)).toEqual([31_000]);
    }
    expect(deadlineAt(250n, 30_000, 1_000)).toBe(1_250);
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

  it('carries one deadline per call in the note, after the largest (which old nodes read alone)', () => {
    const calls =
      '{"jsonrpc":"2.0","id":1,"method":"Arith.Add","params":[1,2]},{"jsonrpc":"2.0","id":2,"method":"Arith.Add","params":[3,4]}';
    const line = `[${deadlineNote(5_000, [200, 5_000])}${calls}]`;
    const parsed = JSON.parse(line) as unknown[];
    expect(parsed[0]).toEqual({ jsonrpc: '2.0', method: DEADLINE_METHOD, params: [5_000, [200, 5_000]] });
    const { message, askedMs, callMs } = takeDeadlineNote(parsed);
    expect(askedMs).toBe(5_000);
    expect(callMs).toEqual([200, 5_000]);
    expect(message).toHaveLength(2);
    expect(callDeadlinesAt(callMs, 2, 30_000, 1_000)).toEqual([1_200, 6_000]);
    // The note without a list, as older clients send it: no per-call deadlines.
    expect(takeDeadlineNote(JSON.parse(`[${deadlineNote(5_000)}${calls}]`)).callMs).toBeUndefined();
  });

  it('reads the per-call header list, caps each entry, and ignores a list of the wrong length', () => {
    expect(CALL_DEADLINES_HEADER).toBe('x-arith-call-deadlines-ms');
    expect(callDeadlinesAt('200,5000,99999', 3, 30_000, 1_000)).toEqual([1_200, 6_000, 31_000]);
    expect(callDeadlinesAt('200,abc,-1', 3, 30_000, 1_000)).toEqual([1_200, 31_000, 31_000]);
    for (const bad of ['200,5000', [200], 'x', 7, null, undefined, {}]) {
      expect(callDeadlinesAt(bad, 3, 30_000, 1_000)).toBeUndefined();
    }
  });

  it('gives each batch element its own deadline by index, and none past the batch', () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'Arith.Add', params: [1, 2] },
      { jsonrpc: '2.0', id: 2, method: 'Arith.Add', params: { A: 1, B: 2 } },
      null,
    ];
    const before = Date.now();
    const ctx = callDeadlines(batch, 5_000, [100, 4_000, 9], 30_000);
    expect(ctx.deadline).toBeGreaterThanOrEqual(before + 5_000);
    expect(ctx.deadlineOf?.(0)).toBe(ctx.deadline - 4_900);
    expect(ctx.deadlineOf?.(1)).toBe(ctx.deadline - 1_000);
    expect(ctx.deadlineOf?.(2)).toBe(ctx.deadline - 4_991);
    expect(ctx.deadlineOf?.(3)).toBeUndefined();
    expect(callDeadlines(batch, 5_000, [100], 30_000).deadlineOf).toBeUndefined();
    expect(callDeadlines(batch[0], 5_000, [100], 30_000).deadlineOf).toBeUndefined();
  });
});
