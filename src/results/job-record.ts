/**
 * The bulk job record (schema v1) under `/<namespace>/jobs/<jobId>`: status, counts and times, put
 * by the client running the job (at start, every few seconds, at the end) so that other clients can
 * follow it. A plain put: the results themselves carry the exactly-once guarantee, not this record.
 */
import type { Etcd3 } from 'etcd3';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { show } from '../util/check-options.js';
import { parseJsonWith } from '../util/parse-json.js';
import { retryEtcd } from '../util/retry-etcd.js';
import { jobsPrefix } from './keys.js';
import { VERIFY_MODES, type VerifyMode } from './result-record.js';

/** JOB_ID_PATTERN: what a job id may contain (it is part of an etcd key and of every record it stores). */
export const JOB_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@=+-]{0,127}$/;

/** JobStatus: `running`, or how the last run ended. */
export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

/** JobCounts are a job's figures so far (for this run; `skipped` counts keys found already stored). */
export interface JobCounts {
  /** total: ops read from the source so far (the final total once the run ends). */
  total: number;
  done: number;
  stored: number;
  skipped: number;
  failed: number;
  conflicts: number;
}

/** JobRecord is the JSON value under `/<namespace>/jobs/<jobId>`. */
export interface JobRecord {
  v: 1;
  jobId: string;
  status: JobStatus;
  counts: JobCounts;
  verify: VerifyMode;
  /** runs: how many times the job was started (a resumed job counts again). */
  runs: number;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

const count = z.number().int().nonnegative();

/** JobRecordSchema validates a job record (v1); unknown extra members are dropped. */
export const JobRecordSchema = z.object({
  v: z.literal(1),
  jobId: z.string().regex(JOB_ID_PATTERN),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  counts: z.object({
    total: count,
    done: count,
    stored: count,
    skipped: count,
    failed: count,
    conflicts: count,
  }),
  verify: z.enum(VERIFY_MODES),
  runs: count,
  startedAt: z.string().max(64),
  updatedAt: z.string().max(64),
  finishedAt: z.string().max(64).optional(),
});

/** parseJobRecord decodes and validates a job record, or returns an Error saying why it is not one. */
export function parseJobRecord(text: string): JobRecord | Error {
  return parseJsonWith<JobRecord>(JobRecordSchema, text, 'job record');
}

/** checkJobId throws a TypeError when `jobId` does not match JOB_ID_PATTERN. */
export function checkJobId(jobId: string): string {
  if (typeof jobId !== 'string' || !JOB_ID_PATTERN.test(jobId)) {
    throw new TypeError(
      `invalid job id ${show(jobId)}: 1-128 of A-Z a-z 0-9 . _ : @ = + -, starting with a letter or digit`,
    );
  }
  return jobId;
}

/** JobWriterHost is what a JobWriter needs: the etcd client, the namespace and a logger. */
export interface JobWriterHost {
  readonly etcd: Etcd3;
  readonly namespace: string;
  readonly logger: Logger;
}

/**
 * JobWriter keeps one job record up to date: `start` reads the previous run's record (to count
 * runs) and puts `running`; `update` puts the current counts (skipped while a put is in flight;
 * best effort); `finish` puts the final status, retrying for up to 30 s.
 */
export class JobWriter {
  readonly #startedAt = new Date().toISOString();
  readonly #key: string;
  #runs = 1;
  #resumed = false;
  #writing: Promise<void> | undefined;

  constructor(
    readonly host: JobWriterHost,
    readonly jobId: string,
    readonly verify: VerifyMode,
    readonly counts: () => JobCounts,
  ) {
    this.#key = jobsPrefix(host.namespace) + checkJobId(jobId);
  }

  /** resumed: a record of this job existed when `start` read it (this run resumes the job). */
  get resumed(): boolean {
    return this.#resumed;
  }

  /** start resolves once the `running` record is written (retried until the signal aborts). */
  async start(signal: AbortSignal | undefined): Promise<void> {
    const text = await retryEtcd(() => this.host.etcd.get(this.#key).string(), this.host.logger, signal);
    const previous = text ? parseJobRecord(text) : undefined;
    this.#resumed = text !== undefined && text !== null;
    if (previous && !(previous instanceof Error)) this.#runs = previous.runs + 1;
    await retryEtcd(() => this.#put('running'), this.host.logger, signal);
  }

  /** update puts the current counts with status `running`, unless a put is already in flight. */
  update(): void {
    if (this.#writing) return;
    this.#writing = this.#put('running')
      .catch((error: unknown) => {
        this.host.logger.warn({ err: (error as Error).message, jobId: this.jobId }, 'job record not updated');
      })
      .finally(() => {
        this.#writing = undefined;
      });
  }

  /** finish puts the final record, retrying for up to 30 s; logs (never throws) if it cannot. */
  async finish(status: JobStatus): Promise<void> {
    await this.#writing;
    const { logger } = this.host;
    const finishedAt = new Date().toISOString();
    const deadline = AbortSignal.timeout(30_000);
    try {
      await retryEtcd(() => this.#put(status, finishedAt), logger, deadline);
      if (deadline.aborted) logger.warn({ jobId: this.jobId }, 'final job record not written within 30 s');
    } catch (error) {
      logger.warn({ err: (error as Error).message, jobId: this.jobId }, 'final job record not written');
    }
  }

  async #put(status: JobStatus, finishedAt?: string): Promise<void> {
    const record: JobRecord = {
      v: 1,
      jobId: this.jobId,
      status,
      counts: this.counts(),
      verify: this.verify,
      runs: this.#runs,
      startedAt: this.#startedAt,
      updatedAt: new Date().toISOString(),
      ...(finishedAt ? { finishedAt } : {}),
    };
    await this.host.etcd.put(this.#key).value(JSON.stringify(record)).exec();
  }
}
