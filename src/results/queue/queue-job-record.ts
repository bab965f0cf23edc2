/**
 * The record of a queued job under `/<namespace>/jobs/<jobId>`: a bulk job record (so
 * `results.job(id)` reads it too) with `kind: "queue"`, the number of chunks, whether submission is
 * complete, and, once finished, the summed tallies, issues and any error (as `{ code, message }`).
 */
import type { Etcd3 } from 'etcd3';
import { z } from 'zod';
import { parseJsonWith } from '../../util/parse-json.js';
import { type JobRecord, JobRecordSchema } from '../job-record.js';
import { jobsPrefix } from '../keys.js';
import type { ErrorText } from './queue-error.js';
import type { QueueIssue } from './tally.js';

/** QueueJobRecord is a job record with the queue's own members. */
export interface QueueJobRecord extends JobRecord {
  kind: 'queue';
  /** chunks: chunks written so far (all of them once `submitted`). */
  chunks: number;
  /** submitted: every op is in etcd; the job can finish once no chunk is left. */
  submitted: boolean;
  /** rejected: ops refused at submission (bad method, params or key); counted as failed too. */
  rejected: number;
  issues: QueueIssue[];
  error?: ErrorText;
}

const errorText = z.object({ code: z.string().max(64), message: z.string().max(10_000) });

/** QueueJobRecordSchema validates a queue job record. */
export const QueueJobRecordSchema = JobRecordSchema.extend({
  kind: z.literal('queue'),
  chunks: z.number().int().nonnegative(),
  submitted: z.boolean(),
  rejected: z.number().int().nonnegative(),
  issues: z
    .array(
      z.object({
        kind: z.enum(['failed', 'conflict']),
        key: z.string().max(512).optional(),
        method: z.string().max(512),
        error: errorText,
      }),
    )
    .max(1000),
  error: errorText.optional(),
});

/** parseQueueJobRecord decodes a queue job record, or returns an Error saying why it is not one. */
export function parseQueueJobRecord(text: string): QueueJobRecord | Error {
  return parseJsonWith<QueueJobRecord>(QueueJobRecordSchema, text, 'queue job record');
}

/** jobKey is the etcd key of a job's record. */
export function jobKey(namespace: string, jobId: string): string {
  return jobsPrefix(namespace) + jobId;
}

/** StoredJob is a record with the mod revision it was read at (for compare-and-put). */
export interface StoredJob {
  record: QueueJobRecord;
  modRevision: string;
}

/** readJob reads a queue job's record; undefined when absent; an Error when it is not a queue job. */
export async function readJob(
  etcd: Etcd3,
  namespace: string,
  jobId: string,
): Promise<StoredJob | undefined | Error> {
  const res = await etcd.kv.range({ key: Buffer.from(jobKey(namespace, jobId)) });
  const kv = res.kvs[0];
  if (!kv) return undefined;
  const record = parseQueueJobRecord(kv.value.toString('utf8'));
  return record instanceof Error ? record : { record, modRevision: kv.mod_revision };
}

/** isFinished tells whether a job reached an end (`done`, `failed`, `cancelled`). */
export function isFinished(record: JobRecord): boolean {
  return record.status !== 'running';
}
