/** A queued job's snapshot while its submission is still writing ops, and once it is complete. */
import { describe, expect, it } from 'vitest';
import { type LiveCounts, snapshot } from '../../src/results/queue/job-status.js';
import type { QueueJobRecord } from '../../src/results/queue/queue-job-record.js';

const record = (submitted: boolean, total: number): QueueJobRecord => ({
  v: 1,
  kind: 'queue',
  jobId: 'J',
  status: 'running',
  counts: { total, done: 0, stored: 0, skipped: 0, failed: 0, conflicts: 0 },
  verify: 'one',
  runs: 1,
  startedAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  chunks: 0,
  submitted,
  rejected: 0,
  issues: [],
});

const live = (r: QueueJobRecord): LiveCounts => ({
  record: r,
  chunks: new Map([
    ['0000000001-1000', 1000],
    ['0000000002-500', 500],
  ]),
  claims: new Map([['0000000001-1000', 1000]]),
  tally: { stored: 900, skipped: 100, failed: 0, conflicts: 0, issues: [] },
  revision: '7',
  noSpace: false,
});

describe('a queued job snapshot', () => {
  it('counts the ops written so far as its total while the submission is still writing', () => {
    const s = snapshot(live(record(false, 0)));
    expect(s.status).toBe('submitting');
    expect(s).toMatchObject({ done: 1000, inProgress: 1000, queued: 500, total: 2500 });
  });

  it("takes the record's total once every op is submitted", () => {
    const s = snapshot(live(record(true, 4000)));
    expect(s.status).toBe('running');
    expect(s.total).toBe(4000);
  });
});
