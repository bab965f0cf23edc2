import { describe, expect, it } from 'vitest';
import {
  encodeChunkOp,
  MAX_CHUNK_BYTES,
  parseChunk,
  serializeChunk,
  toChunkOp,
} from '../../src/results/queue/chunk.js';
import { chunkName, parseQueueKey, queueKey } from '../../src/results/queue/queue-keys.js';
import { addTally, emptyTally, MAX_ISSUES } from '../../src/results/queue/tally.js';

describe('queue keys, chunks and tallies', () => {
  it('chunk names sort in submission order and carry the op count', () => {
    expect(chunkName(9, 256) < chunkName(10, 256)).toBe(true);
    const key = queueKey('ns', 'job-1', 'w', chunkName(12, 64));
    expect(parseQueueKey('ns', key)).toEqual({ jobId: 'job-1', kind: 'w', name: '0000000012-64', ops: 64 });
    expect(parseQueueKey('ns', '/ns/queue/job-1/x/0000000012-64')).toBeUndefined();
    expect(parseQueueKey('other', key)).toBeUndefined();
  });

  it('ops are normalised to wire params; bad ops are refused with INVALID_OP', () => {
    expect(toChunkOp({ method: 'Arith.Multiply', params: [7, 8] })).toEqual({
      m: 'Arith.Multiply',
      p: { A: 7, B: 8 },
    });
    expect(toChunkOp({ method: 'Arith.Add', params: { A: 2n ** 70n, B: 1 }, key: 'k' }).p).toEqual({
      A: '1180591620717411303424',
      B: 1,
    });
    expect(() => toChunkOp({ method: 'Nope', params: [] })).toThrow(/unknown method/);
    expect(() => toChunkOp({ method: 'Arith.Add', params: { A: 1.5, B: 1 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_OP' }),
    );
    const text = serializeChunk('one', [encodeChunkOp({ method: 'Arith.Add', params: { A: 1, B: 2 } })]);
    expect(parseChunk(text)).toEqual({ v: 1, verify: 'one', ops: [{ m: 'Arith.Add', p: { A: 1, B: 2 } }] });
    expect(parseChunk('{"v":2}')).toBeInstanceOf(Error);
    const huge = {
      method: 'Arith.Sum',
      params: { Values: Array.from({ length: 100 }, () => '9'.repeat(4000)) },
    };
    expect(() => encodeChunkOp(huge)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OP',
        message: expect.stringContaining(`(${MAX_CHUNK_BYTES})`),
      }),
    );
  });

  it('tallies add up and keep a bounded number of issues', () => {
    const t = emptyTally();
    const issue = { kind: 'failed' as const, method: 'm', error: { code: 'X', message: 'x' } };
    for (let i = 0; i < 30; i++) addTally(t, { stored: 2, skipped: 1, issues: [issue] });
    expect([t.stored, t.skipped, t.failed, t.issues.length]).toEqual([60, 30, 0, MAX_ISSUES]);
  });
});
