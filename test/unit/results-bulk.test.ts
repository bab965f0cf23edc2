import { describe, expect, it } from 'vitest';
import { QuorumError, RemoteError, TransportError } from '../../src/client/errors.js';
import type { Receipt } from '../../src/client/fanout.js';
import { type Caller, isAnswerError, verifiedCall } from '../../src/client/verify-modes.js';
import { BulkTally } from '../../src/results/bulk-tally.js';
import { ExistingCheck } from '../../src/results/existing-check.js';
import { chunk, MAX_KEYS_PER_TXN, nestedGroups, requests } from '../../src/results/put-if-absent.js';

/** fake answers `callWithNode` with `one` (from node `n1`) and `all` with the given receipts. */
function fake(one: () => unknown, receipts: Receipt[] = []): Caller {
  return {
    callWithNode: async () => ({ result: one(), nodeId: 'n1' }),
    all: async () => receipts,
  };
}

const ok = (nodeId: string, result: unknown): Receipt => ({ nodeId, ok: true, result, ms: 1 });
const bad = (nodeId: string, error: Error): Receipt => ({ nodeId, ok: false, error, ms: 1 });
const div0 = (nodeId: string) => new RemoteError(1001, 'divide by zero', nodeId);

describe('verify modes', () => {
  it('one: a result, or an application error as the answer; protocol and transport errors throw', async () => {
    expect(
      await verifiedCall(
        fake(() => 56),
        'M',
        {},
        'one',
      ),
    ).toEqual({ answer: { result: 56 }, nodes: ['n1'], dissent: [] });
    const e = await verifiedCall(
      fake(() => {
        throw div0('n1');
      }),
      'M',
      {},
      'one',
    );
    expect(e).toEqual({
      answer: { error: { code: 1001, message: 'divide by zero' } },
      nodes: ['n1'],
      dissent: [],
    });
    const invalid = new RemoteError(-32602, 'A: expected an integer', 'n1');
    await expect(
      verifiedCall(
        fake(() => {
          throw invalid;
        }),
        'M',
        {},
        'one',
      ),
    ).rejects.toBe(invalid);
    expect(isAnswerError(new TransportError('reset', 'n1', 'reset'))).toBe(false);
    expect(isAnswerError(new RemoteError(-32603, 'Internal error', 'n1'))).toBe(false);
  });

  it('quorum: a majority of the live nodes must agree; dissent is reported, failures are not dissent', async () => {
    const got = await verifiedCall(
      fake(() => 0, [ok('a', 56), ok('b', 57), ok('c', 56)]),
      'M',
      {},
      'quorum',
    );
    expect(got).toEqual({
      answer: { result: 56 },
      nodes: ['a', 'c'],
      dissent: [{ nodeId: 'b', result: 57 }],
    });
    const down = bad('c', new TransportError('refused', 'c', 'refused'));
    const two = await verifiedCall(
      fake(() => 0, [ok('a', 56), ok('b', 56), down]),
      'M',
      {},
      'quorum',
    );
    expect(two).toMatchObject({ nodes: ['a', 'b'], dissent: [] });
    await expect(
      verifiedCall(
        fake(() => 0, [ok('a', 56), ok('b', 57)]),
        'M',
        {},
        'quorum',
      ),
    ).rejects.toBeInstanceOf(QuorumError);
    await expect(
      verifiedCall(
        fake(() => 0, [ok('a', 56), down, bad('d', new TransportError('refused', 'd', 'refused'))]),
        'M',
        {},
        'quorum',
      ),
    ).rejects.toThrow(/quorum of 2 not reached/);
    const errs = await verifiedCall(
      fake(() => 0, [bad('a', div0('a')), bad('b', div0('b'))]),
      'M',
      {},
      'quorum',
    );
    expect(errs.answer).toEqual({ error: { code: 1001, message: 'divide by zero' } });
  });

  it('all: every live node must give the same answer', async () => {
    const got = await verifiedCall(
      fake(() => 0, [ok('b', { Quo: 1, Rem: 0 }), ok('a', { Rem: 0, Quo: 1 })]),
      'M',
      {},
      'all',
    );
    expect(got.nodes).toEqual(['a', 'b']);
    await expect(
      verifiedCall(
        fake(() => 0, [ok('a', 1), ok('b', 1), ok('c', 2)]),
        'M',
        {},
        'all',
      ),
    ).rejects.toThrow(/quorum of 3 not reached: a=1, b=1, c=2/);
  });
});

describe('existing-key reads of a bulk job', () => {
  it('auto: off for a fresh job, on once a stored key is met, off again after 8 empty reads', () => {
    const check = new ExistingCheck('auto', false);
    expect(check.reading).toBe(false);
    check.observe(3);
    expect(check.reading).toBe(true);
    for (let i = 0; i < 7; i++) check.observe(0);
    expect(check.reading).toBe(true);
    check.observe(0);
    expect(check.reading).toBe(false);
    expect(new ExistingCheck('auto', true).reading).toBe(true);
  });

  it('always: never stops reading', () => {
    const check = new ExistingCheck('always', false);
    for (let i = 0; i < 20; i++) check.observe(0);
    expect(check.reading).toBe(true);
  });
});

describe('put-if-absent batches', () => {
  it('holds at most 64 keys and about 1 MB of values per transaction, in order', () => {
    const items = Array.from({ length: 150 }, (_, i) => ({ key: `k${i}`, value: 'x' }));
    const parts = chunk(items);
    expect(parts.map((p) => p.length)).toEqual([MAX_KEYS_PER_TXN, MAX_KEYS_PER_TXN, 22]);
    expect(parts.flat()).toEqual(items);
    const big = [
      { key: 'a', value: 'x'.repeat(600_000) },
      { key: 'b', value: 'x'.repeat(600_000) },
      { key: 'c', value: 'x' },
    ];
    expect(chunk(big).map((p) => p.map((i) => i.key))).toEqual([['a'], ['b', 'c']]);
  });
});

describe('bulk tally', () => {
  it('counts done as stored + skipped + failed + conflicts, and keeps issues', () => {
    const seen: string[] = [];
    const tally = new BulkTally('j', 10, (i) => seen.push(i.kind));
    tally.read(10);
    tally.store(5);
    tally.skip(2);
    tally.fail({ kind: 'failed', method: 'M' });
    tally.fail({ kind: 'disagreement', method: 'M' });
    tally.fail({ kind: 'conflict', method: 'M' });
    tally.issue({ kind: 'dissent', method: 'M' });
    expect(tally.counts()).toEqual({ total: 10, done: 10, stored: 5, skipped: 2, failed: 2, conflicts: 1 });
    const s = tally.summary('failed');
    expect(s).toMatchObject({ jobId: 'j', status: 'failed', disagreements: 2 });
    expect(s.issues).toHaveLength(4);
    expect(seen).toEqual(['failed', 'disagreement', 'conflict', 'dissent']);
    expect(tally.clean()).toBe(false);
  });
});

describe('nested put-if-absent groups', () => {
  it('keep groups plus keys per group within the limit etcd applies along each path', () => {
    for (const limit of [64, 125]) {
      for (let n = limit + 1; n <= Math.floor(limit / 2) * Math.ceil(limit / 2); n += 37) {
        const groups = nestedGroups(
          Array.from({ length: n }, (_, i) => i),
          limit,
        );
        expect(groups.flat()).toHaveLength(n);
        for (const g of groups) expect(groups.length + g.length).toBeLessThanOrEqual(limit);
      }
    }
  });

  it('split requests at what nested groups can hold and at MAX_TXN_BYTES', () => {
    const small = Array.from({ length: 5_000 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(requests(small, 125).map((r) => r.length)).toEqual([3_906, 1_094]);
    const big = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(300_000) }));
    expect(requests(big, 125).map((r) => r.length)).toEqual([3, 3, 3, 1]);
  });
});
