/**
 * QueueJobs is `cluster.jobs`: submit ops to the durable queue (the nodes work it; the submitter may
 * exit at once), list the queued jobs, and get a handle on one by id.
 */
import type { BulkOp } from '../bulk-types.js';
import { checkJobId } from '../job-record.js';
import { jobsPrefix } from '../keys.js';
import { prefixEnd, RangeReader } from '../range-pages.js';
import { QueueJob } from './job-handle.js';
import { type JobSnapshot, snapshot } from './job-status.js';
import type { QueueHost } from './queue-host.js';
import { parseQueueJobRecord } from './queue-job-record.js';
import { type SubmitOptions, submitJob } from './submit.js';
import { emptyTally } from './tally.js';

/** JobSummaryLine is one job of `list()`: its record's status and counts (as of its last write). */
export type JobSummaryLine = Pick<JobSnapshot, (typeof LINE_KEYS)[number]>;

const LINE_KEYS = [
  'jobId',
  'status',
  'total',
  'done',
  'stored',
  'skipped',
  'failed',
  'conflicts',
  'startedAt',
  'updatedAt',
  'finishedAt',
] as const;

/** QueueJobs submits, lists and follows queued jobs of one namespace. */
export class QueueJobs {
  readonly #handles = new Set<QueueJob>();

  constructor(private readonly host: QueueHost) {}

  /**
   * submit writes `ops` (an array or any iterable / async iterable, streamed with bounded memory)
   * as a queued job and resolves with its handle once every op is durable in etcd.
   * @throws see submitJob.
   */
  async submit(
    ops: Iterable<BulkOp> | AsyncIterable<BulkOp>,
    options: SubmitOptions = {},
  ): Promise<QueueJob> {
    const jobId = await submitJob(this.host, ops, options);
    return this.get(jobId);
  }

  /** get returns a handle on job `jobId` (which `status()` reads; it throws NO_SUCH_JOB if there is none). */
  get(jobId: string): QueueJob {
    const job = new QueueJob(this.host, checkJobId(jobId));
    this.#handles.add(job);
    return job;
  }

  /** list reads every queued job's record (paged), in job id order; other job records are skipped. */
  async list(): Promise<JobSummaryLine[]> {
    const prefix = jobsPrefix(this.host.namespace);
    const reader = new RangeReader(this.host.etcd);
    const end = prefixEnd(prefix);
    const out: JobSummaryLine[] = [];
    let from = Buffer.from(prefix);
    for (;;) {
      const page = await reader.page(from, end, 1_000);
      for (const kv of page.kvs) {
        const record = parseQueueJobRecord(kv.value.toString('utf8'));
        if (record instanceof Error) continue;
        const s = snapshot({
          record,
          chunks: new Map(),
          claims: new Map(),
          tally: emptyTally(),
          revision: kv.mod_revision,
          noSpace: false,
        });
        out.push(Object.fromEntries(LINE_KEYS.map((k) => [k, s[k]])) as JobSummaryLine);
      }
      const last = page.kvs.at(-1);
      if (!page.more || !last) return out;
      from = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }

  /** close closes every handle's watches (the cluster calls it when it closes). */
  async close(): Promise<void> {
    await Promise.all([...this.#handles].map((h) => h.close()));
    this.#handles.clear();
  }
}
