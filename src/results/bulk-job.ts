/**
 * Bulk jobs (`cluster.map`): many operations through the cluster, stored exactly once. Ops are taken
 * in groups of 64; per group: one read transaction finds keys already stored (skipped, which makes
 * a rerun resume; see ExistingCheck for when it is skipped), the rest are computed with the chosen
 * verify mode, and the answers are stored with one put-if-absent transaction. `concurrency` groups
 * are in flight at once.
 */

import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { type GroupContext, type Prepared, prepare, runGroup } from './bulk-group.js';
import { type BulkSummary, BulkTally } from './bulk-tally.js';
import type { BulkCaller, BulkOp, BulkStore, MapOptions } from './bulk-types.js';
import { ExistingCheck } from './existing-check.js';
import { checkMapOptions } from './job-options.js';
import { checkJobId, type JobStatus } from './job-record.js';

export type { BulkIssue, BulkProgress, BulkSummary } from './bulk-tally.js';
export type { BulkCaller, BulkOp, BulkStore, MapOptions } from './bulk-types.js';

const GROUP = 64;

/**
 * runBulkJob runs `ops` (an array or any iterable / async iterable) as job `jobId` and resolves with
 * a summary once every op is stored, skipped, failed or conflicting, or the signal aborted. Store
 * failures (etcd unavailable, leader change) are retried with backoff until they succeed or the job
 * is cancelled; that is safe because every write is a put-if-absent. Rejects only when the source
 * of ops throws (after recording the job as failed), when etcd refuses the job record for good
 * (a closed client, no permission), or when the options are invalid.
 */
export async function runBulkJob(
  caller: BulkCaller,
  store: BulkStore,
  ops: Iterable<BulkOp> | AsyncIterable<BulkOp>,
  userOptions: MapOptions = {},
): Promise<BulkSummary> {
  const checked = checkMapOptions(userOptions);
  const follow = manySignal(checked.signal);
  try {
    return await run(caller, store, ops, { ...checked, signal: follow.signal });
  } finally {
    follow.dispose();
  }
}

async function run(
  caller: BulkCaller,
  store: BulkStore,
  ops: Iterable<BulkOp> | AsyncIterable<BulkOp>,
  options: MapOptions,
): Promise<BulkSummary> {
  const jobId = checkJobId(options.jobId ?? randomUUID());
  const verify = options.verify ?? 'one';
  const concurrency = options.concurrency ?? 16;
  const signal = options.signal;
  const tally = new BulkTally(jobId, Array.isArray(ops) ? ops.length : undefined, options.onIssue);
  const jobs = store.jobWriter(jobId, verify, () => tally.counts());
  await jobs.start(signal);
  const existing = new ExistingCheck(options.checkExisting ?? 'auto', jobs.resumed);
  const ctx: GroupContext = { caller, store, tally, options, verify, jobId, existing };
  const source = groups(ops);
  let sourceError: unknown;
  let fatal: unknown;
  let reading = Promise.resolve<Prepared[] | undefined>([]);
  const nextGroup = (): Promise<Prepared[] | undefined> => {
    reading = reading.then(async () => {
      if (signal?.aborted || sourceError !== undefined || fatal !== undefined) return undefined;
      try {
        const next = await source.next();
        return next.done ? undefined : prepare(next.value, tally);
      } catch (error) {
        sourceError = error;
        return undefined;
      }
    });
    return reading;
  };
  const progress = setInterval(
    () => options.onProgress?.(tally.progress(false)),
    options.progressIntervalMs ?? 250,
  );
  progress.unref();
  const timer = setInterval(() => jobs.update(), options.jobRecordIntervalMs ?? 2_000);
  timer.unref();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        try {
          for (let group = await nextGroup(); group; group = await nextGroup()) {
            await runGroup(group, ctx);
          }
        } catch (error) {
          fatal ??= error; // a bug, not an etcd or node failure (those are retried or counted)
        }
      }),
    );
  } finally {
    clearInterval(progress);
    clearInterval(timer);
    await source.return(undefined).catch(() => undefined);
  }
  const thrown = sourceError ?? fatal;
  const status: JobStatus =
    thrown !== undefined ? 'failed' : signal?.aborted ? 'cancelled' : tally.clean() ? 'done' : 'failed';
  await jobs.finish(status);
  options.onProgress?.(tally.progress(true));
  if (thrown !== undefined) throw thrown;
  return tally.summary(status);
}

/** groups reads any iterable of ops in arrays of up to 64. */
async function* groups(ops: Iterable<BulkOp> | AsyncIterable<BulkOp>): AsyncGenerator<BulkOp[]> {
  let group: BulkOp[] = [];
  for await (const op of ops) {
    group.push(op);
    if (group.length === GROUP) {
      yield group;
      group = [];
    }
  }
  if (group.length > 0) yield group;
}

/**
 * manySignal follows `signal` with a signal that may have any number of listeners: a job passes it
 * to every call in flight (a thousand at once by default), past Node's warning threshold of 10.
 */
function manySignal(signal: AbortSignal | undefined): { signal?: AbortSignal; dispose(): void } {
  if (!signal) return { dispose: () => undefined };
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const onAbort = (): void => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, dispose: () => signal.removeEventListener('abort', onAbort) };
}
