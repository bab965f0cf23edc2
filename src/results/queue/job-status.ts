/**
 * JobSnapshot: where a queued job stands, read in one transaction (the record, the chunks left,
 * the claims, the tallies) at one revision, from which a watch can follow it.
 */
import { prefixEnd } from '../range-pages.js';
import { type ErrorText, QueueError } from './queue-error.js';
import type { QueueHost } from './queue-host.js';
import { isFinished, jobKey, parseQueueJobRecord, type QueueJobRecord } from './queue-job-record.js';
import { jobQueuePrefix, parseQueueKey } from './queue-keys.js';
import { addTally, emptyTally, parseTally, type QueueIssue, type Tally, tallyDone } from './tally.js';

/** QueueJobStatus: `submitting` (ops still going in), `queued` (none claimed yet), `running`, `stopped` (etcd NOSPACE), or an end. */
export type QueueJobStatus =
  | 'submitting'
  | 'queued'
  | 'running'
  | 'stopped'
  | 'done'
  | 'failed'
  | 'cancelled';

/** JobSnapshot is a job's counts (in ops) and times. */
export interface JobSnapshot {
  jobId: string;
  status: QueueJobStatus;
  /** total: the job's ops; while its submission is still writing them, those written so far (a lower bound). */
  total: number;
  /** queued: ops in chunks nobody holds. */
  queued: number;
  /** inProgress: ops in claimed chunks. */
  inProgress: number;
  /** done: stored + skipped + failed + conflicts. */
  done: number;
  stored: number;
  /** skipped: ops whose result was stored already (an earlier try, or another job) and agrees. */
  skipped: number;
  failed: number;
  conflicts: number;
  /** unknown: ops not confirmed while the job is stopped (some may be stored; a resume reads them back). */
  unknown: number;
  chunks: { total: number; left: number; claimed: number };
  startedAt: string;
  updatedAt: string;
  finishedAt?: string | undefined;
  error?: ErrorText | undefined;
  issues: QueueIssue[];
  /** revision: the etcd revision this snapshot was read at. */
  revision: string;
}

/** LiveCounts are what a follower keeps up to date from watch events. */
export interface LiveCounts {
  record: QueueJobRecord;
  /** chunks: chunk name → ops, for chunks left. */
  chunks: Map<string, number>;
  /** claims: chunk name → ops, for claimed chunks. */
  claims: Map<string, number>;
  tally: Tally;
  revision: string;
  noSpace: boolean;
}

/**
 * readLive reads a job's record, chunks, claims and tallies at one revision.
 * @throws QueueError `NO_SUCH_JOB`.
 */
export async function readLive(host: QueueHost, jobId: string): Promise<LiveCounts> {
  const { etcd, namespace } = host;
  const prefix = jobQueuePrefix(namespace, jobId);
  const range = (kind: string, keysOnly: boolean) => ({
    request_range: {
      key: Buffer.from(`${prefix}${kind}/`),
      range_end: prefixEnd(`${prefix}${kind}/`),
      keys_only: keysOnly,
    },
  });
  const res = await etcd.kv.txn({
    success: [
      { request_range: { key: Buffer.from(jobKey(namespace, jobId)) } },
      range('c', true),
      range('w', true),
      range('t', false),
    ],
  });
  const kvs = (i: number) => res.responses[i]?.response_range?.kvs ?? [];
  const recordKv = kvs(0)[0];
  if (!recordKv) throw new QueueError('NO_SUCH_JOB', `no job ${jobId}`);
  const record = parseQueueJobRecord(recordKv.value.toString('utf8'));
  if (record instanceof Error)
    throw new QueueError('NO_SUCH_JOB', `job ${jobId} is not a queued job (${record.message})`);
  const names = (i: number) => {
    const out = new Map<string, number>();
    for (const kv of kvs(i)) {
      const parsed = parseQueueKey(namespace, kv.key.toString('utf8'));
      if (parsed) out.set(parsed.name, parsed.ops);
    }
    return out;
  };
  const tally = emptyTally();
  for (const kv of kvs(3)) addTally(tally, parseTally(kv.value.toString('utf8')));
  return { record, chunks: names(1), claims: names(2), tally, revision: res.header.revision, noSpace: false };
}

/** snapshot turns live counts into a JobSnapshot. */
export function snapshot(live: LiveCounts): JobSnapshot {
  const { record, tally } = live;
  const sum = (m: Map<string, number>) => {
    let n = 0;
    for (const v of m.values()) n += v;
    return n;
  };
  const finished = isFinished(record);
  const inProgress = finished ? 0 : sum(live.claims);
  const left = finished ? 0 : sum(live.chunks);
  const counts = finished
    ? record.counts
    : {
        stored: tally.stored,
        skipped: tally.skipped,
        failed: record.rejected + tally.failed,
        conflicts: tally.conflicts,
        done: record.rejected + tallyDone(tally),
      };
  const status: QueueJobStatus = finished
    ? record.status
    : live.noSpace
      ? 'stopped'
      : !record.submitted
        ? 'submitting'
        : live.claims.size > 0 || counts.done > record.rejected
          ? 'running'
          : 'queued';
  const unknown = status === 'stopped' ? left : 0;
  return {
    jobId: record.jobId,
    status,
    total: finished || record.submitted ? record.counts.total : counts.done + left,
    queued: status === 'stopped' ? 0 : left - inProgress,
    inProgress: status === 'stopped' ? 0 : inProgress,
    done: counts.done,
    stored: counts.stored,
    skipped: counts.skipped,
    failed: counts.failed,
    conflicts: counts.conflicts,
    unknown,
    chunks: { total: record.chunks, left: live.chunks.size, claimed: live.claims.size },
    startedAt: record.startedAt,
    updatedAt: record.updatedAt,
    finishedAt: record.finishedAt,
    error:
      record.error ??
      (status === 'stopped'
        ? {
            code: 'NOSPACE',
            message:
              'etcd raised its NOSPACE alarm: the job stopped; free space, disarm the alarm, and workers resume it',
          }
        : undefined),
    issues: [...record.issues, ...(finished ? [] : tally.issues)].slice(0, 100),
    revision: live.revision,
  };
}
