import { describe, expect, it } from 'vitest';
import type { ManyCall, ManyResult } from '../../src/client/call-many.js';
import { runBulkJob } from '../../src/results/bulk-job.js';
import type { BulkCaller, BulkStore, JobLog } from '../../src/results/bulk-types.js';
import type { JobStatus } from '../../src/results/job-record.js';
import type { ResultRecord } from '../../src/results/result-record.js';
import type { StoreOutcome } from '../../src/results/store-many.js';

/** caller multiplies locally, from node `n1`, one callMany per group. */
function caller(groups: ManyCall[][]): BulkCaller {
  return {
    callMany: async (calls) => {
      groups.push([...calls]);
      return calls.map((c): ManyResult => {
        const { A, B } = c.params as { A: number; B: number };
        return { ok: true, result: A * B, nodeId: 'n1' };
      });
    },
    callWithNode: async () => {
      throw new Error('not used in mode one');
    },
    all: async () => [],
    ready: async () => undefined,
  };
}

/** store answers storeMany with `answer(record)` and keeps what it was given and the job's final status. */
function store(answer: (r: ResultRecord) => StoreOutcome) {
  const written: ResultRecord[][] = [];
  const finished: JobStatus[] = [];
  const jobs: JobLog = {
    resumed: false,
    start: async () => undefined,
    update: () => undefined,
    finish: async (status) => {
      finished.push(status);
    },
  };
  const fake: BulkStore = {
    storeMany: async (records) => {
      written.push([...records]);
      return records.map(answer);
    },
    findStored: async () => new Set(),
    jobWriter: () => jobs,
  };
  return { fake, written, finished };
}

describe('a bulk job on its narrow caller and store', () => {
  it('stores each group with one storeMany and counts stored, agrees (skipped) and conflicts', async () => {
    const groups: ManyCall[][] = [];
    const other = {
      v: 1,
      key: 'k/1',
      method: 'Arith.Multiply',
      params: { A: 1, B: 1 },
      result: 2,
    } as ResultRecord;
    const s = store((r) =>
      r.key === 'k/1'
        ? { status: 'conflict', stored: other }
        : r.key === 'k/2'
          ? { status: 'agrees', stored: r }
          : { status: 'stored' },
    );
    const stored: string[] = [];
    const ops = Array.from({ length: 70 }, (_, i) => ({
      key: `k/${i}`,
      method: 'Arith.Multiply',
      params: [i, 2],
    }));
    const summary = await runBulkJob(caller(groups), s.fake, ops, {
      onStored: (keys) => stored.push(...keys),
    });
    expect(groups.map((g) => g.length)).toEqual([64, 6]);
    expect(s.written.map((w) => w.length)).toEqual([64, 6]);
    expect(s.written[0]![3]).toMatchObject({ key: 'k/3', params: { A: 3, B: 2 }, result: 6, nodes: ['n1'] });
    expect(summary).toMatchObject({ status: 'failed', total: 70, stored: 68, skipped: 1, conflicts: 1 });
    expect(summary.issues).toEqual([
      expect.objectContaining({
        kind: 'conflict',
        key: 'k/1',
        stored: other,
        computed: expect.objectContaining({ result: 2 }),
      }),
    ]);
    expect(stored).toHaveLength(68);
    expect(stored).not.toContain('k/1');
    expect(s.finished).toEqual(['failed']);
  });

  it('says why a stored value that is no record conflicts', async () => {
    const s = store(() => ({ status: 'conflict', unreadable: new Error('not JSON') }));
    const summary = await runBulkJob(caller([]), s.fake, [{ method: 'Arith.Multiply', params: [2, 3] }]);
    expect(summary).toMatchObject({ conflicts: 1, stored: 0 });
    expect(summary.issues[0]?.error?.message).toBe('unreadable stored value: not JSON');
    expect(summary.issues[0]?.stored).toBeUndefined();
  });
});
