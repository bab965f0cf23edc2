/**
 * The ends of a queued job, each a compare-and-put on the job record's mod revision (so two
 * writers never both finish it): `finishSubmission` marks every op in; `tryFinalize` sums the
 * tallies into the record once no chunk is left and deletes every queue key of the job;
 * `cancelJob` / `endJob` record `cancelled` (or `failed`, with a reason) and delete the job's chunks
 * and claims.
 */
import type { IRequestOp } from 'etcd3';
import { retryEtcd } from '../../util/retry-etcd.js';
import type { JobStatus } from '../job-record.js';
import { prefixEnd, RangeReader } from '../range-pages.js';
import { type ErrorText, QueueError } from './queue-error.js';
import type { QueueHost } from './queue-host.js';
import { isFinished, jobKey, type QueueJobRecord, readJob, type StoredJob } from './queue-job-record.js';
import { jobQueuePrefix } from './queue-keys.js';
import { addTally, emptyTally, parseTally, type Tally, tallyDone } from './tally.js';

/**
 * finishSubmission puts the record with `submitted: true`, unless the job was cancelled meanwhile
 * or started over by another submission (its `runs` differs: that run's record is not ours).
 */
export async function finishSubmission(host: QueueHost, record: QueueJobRecord): Promise<void> {
  await update(host, record.jobId, (current) =>
    isFinished(current) || current.runs !== record.runs
      ? undefined
      : { ...record, submitted: true, updatedAt: new Date().toISOString() },
  );
}

/**
 * tryFinalize finishes job `jobId` if every op is in and no chunk is left: the record gets the
 * summed tallies and its final status (`done` when nothing failed or conflicts, else `failed`), and
 * every key under the job's queue prefix goes, in one transaction. True when this call finished it.
 */
export async function tryFinalize(host: QueueHost, jobId: string): Promise<boolean> {
  const { etcd, namespace, logger } = host;
  const finished = await retryEtcd(
    async () => {
      const job = await readJob(etcd, namespace, jobId);
      if (!job || job instanceof Error || isFinished(job.record) || !job.record.submitted) return false;
      const prefix = jobQueuePrefix(namespace, jobId);
      const left = await etcd.kv.range({
        key: Buffer.from(`${prefix}c/`),
        range_end: prefixEnd(`${prefix}c/`),
        count_only: true,
      });
      if (Number(left.count) > 0) return false;
      const tally = await sumTallies(host, jobId);
      const record = withTally(job.record, tally);
      record.status = record.counts.failed + record.counts.conflicts === 0 ? 'done' : 'failed';
      record.finishedAt = record.updatedAt;
      return compareAndPut(host, job, record, [
        { request_delete_range: { key: Buffer.from(prefix), range_end: prefixEnd(prefix) } },
      ]);
    },
    logger,
    undefined,
    10,
  );
  return finished === true;
}

/**
 * cancelJob records `cancelled` (with the tallies so far) and deletes the job's chunks, claims and
 * tallies; workers holding a claim find it gone when they ack. Results already stored stay.
 * @throws QueueError `NO_SUCH_JOB`.
 */
export function cancelJob(host: QueueHost, jobId: string): Promise<JobStatus> {
  return endJob(host, jobId, 'cancelled');
}

/**
 * endJob ends a running job as cancelJob does, with status `status`, `error` recorded as the
 * reason, and `from` (the submitter's counts of a submission that stopped part way) taken over
 * first; resolves with the job's final status (an earlier end wins; `running` when `from` is of
 * another run than the record's: the job was started over, and that run is left alone).
 * @throws QueueError `NO_SUCH_JOB`.
 */
export async function endJob(
  host: QueueHost,
  jobId: string,
  status: 'cancelled' | 'failed',
  error?: ErrorText,
  from?: Pick<QueueJobRecord, 'counts' | 'rejected' | 'issues' | 'chunks' | 'runs'>,
): Promise<JobStatus> {
  const prefix = jobQueuePrefix(host.namespace, jobId);
  let final: JobStatus = status;
  await update(
    host,
    jobId,
    async (current) => {
      if (isFinished(current) || (from && current.runs !== from.runs)) {
        final = current.status;
        return undefined;
      }
      const base = from ? { ...current, ...from, counts: { ...from.counts } } : current;
      const record = withTally(base, await sumTallies(host, jobId));
      record.status = status;
      record.finishedAt = record.updatedAt;
      if (error) record.error = error;
      return record;
    },
    [{ request_delete_range: { key: Buffer.from(prefix), range_end: prefixEnd(prefix) } }],
  );
  return final;
}

/** sumTallies reads every tally of a job (paged) and adds them up. */
export async function sumTallies(host: QueueHost, jobId: string): Promise<Tally> {
  const prefix = `${jobQueuePrefix(host.namespace, jobId)}t/`;
  const reader = new RangeReader(host.etcd);
  const end = prefixEnd(prefix);
  const total = emptyTally();
  let from = Buffer.from(prefix);
  for (;;) {
    const page = await reader.page(from, end, 5_000);
    for (const kv of page.kvs) addTally(total, parseTally(kv.value.toString('utf8')));
    const last = page.kvs.at(-1);
    if (!page.more || !last) return total;
    from = Buffer.concat([last.key, Buffer.from([0])]);
  }
}

/** withTally is the record with `tally` added to the counts it had at submission (rejected ops). */
function withTally(record: QueueJobRecord, tally: Tally): QueueJobRecord {
  const counts = {
    total: record.counts.total,
    stored: tally.stored,
    skipped: tally.skipped,
    failed: record.rejected + tally.failed,
    conflicts: tally.conflicts,
    done: 0,
  };
  counts.done = record.rejected + tallyDone(tally);
  const issues = [...record.issues, ...tally.issues].slice(0, 100);
  return { ...record, counts, issues, updatedAt: new Date().toISOString() };
}

/** update applies `change` to the job record with compare-and-put until it lands (or `change` says no). */
async function update(
  host: QueueHost,
  jobId: string,
  change: (current: QueueJobRecord) => QueueJobRecord | undefined | Promise<QueueJobRecord | undefined>,
  also: IRequestOp[] = [],
): Promise<void> {
  const { etcd, namespace, logger } = host;
  for (let attempt = 0; attempt < 20; attempt++) {
    const job = await retryEtcd(() => readJob(etcd, namespace, jobId), logger, undefined, 10);
    if (!job) throw new QueueError('NO_SUCH_JOB', `no job ${jobId}`);
    if (job instanceof Error)
      throw new QueueError('NO_SUCH_JOB', `job ${jobId} is not a queued job (${job.message})`);
    const next = await change(job.record);
    if (!next) return;
    if (await retryEtcd(() => compareAndPut(host, job, next, also), logger, undefined, 10)) return;
  }
  throw new QueueError('ETCD', `job ${jobId}: its record kept changing; try again`);
}

/** compareAndPut puts `record` (and runs `also`) if the record is unchanged since `job` was read. */
async function compareAndPut(
  host: QueueHost,
  job: StoredJob,
  record: QueueJobRecord,
  also: IRequestOp[],
): Promise<boolean> {
  const key = Buffer.from(jobKey(host.namespace, record.jobId));
  const res = await host.etcd.kv.txn({
    compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: job.modRevision }],
    success: [{ request_put: { key, value: Buffer.from(JSON.stringify(record)) } }, ...also],
  });
  return res.succeeded;
}
