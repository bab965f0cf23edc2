/** What a bulk job is given: its ops, its options, the caller it computes with and the store it writes to. */
import type { ManyCall, ManyResult } from '../client/call-many.js';
import type { CallOptions } from '../client/call-one.js';
import type { Caller } from '../client/verify-modes.js';
import type { BulkIssue, BulkProgress } from './bulk-tally.js';
import type { JobCounts, JobWriter } from './job-record.js';
import type { ResultRecord, VerifyMode } from './result-record.js';
import type { StoreOutcome } from './store-many.js';

/** BulkOp is one operation of a bulk job; without `key` the key is derived from method and params. */
export interface BulkOp {
  method: string;
  params: unknown;
  key?: string | undefined;
}

/**
 * BulkCaller is what a bulk job calls nodes with (a `Cluster` is one): a group of calls to one node
 * (`callMany`, mode `one`), the verified call of the other modes (Caller), and a wait for nodes.
 */
export interface BulkCaller extends Caller {
  callMany(calls: readonly ManyCall[], options?: CallOptions): Promise<ManyResult[]>;
  ready(options?: { nodes?: number; signal?: AbortSignal; timeoutMs?: number }): Promise<void>;
}

/** BulkStore is what a bulk job needs from the results store (a `ResultsStore` is one). */
export interface BulkStore {
  /** storeMany stores a group's records, retried until stored or `signal` aborts (then undefined). */
  storeMany(records: readonly ResultRecord[], signal?: AbortSignal): Promise<StoreOutcome[] | undefined>;
  /** findStored reads which result keys hold a value, retried likewise. */
  findStored(keys: readonly string[], signal?: AbortSignal): Promise<Set<string> | undefined>;
  /** jobWriter makes the writer of the job's record. */
  jobWriter(jobId: string, verify: VerifyMode, counts: () => JobCounts): JobLog;
}

/** JobLog is what a bulk job does with its job record (a JobWriter is one). */
export type JobLog = Pick<JobWriter, 'resumed' | 'start' | 'update' | 'finish'>;

/** MapOptions tune a bulk job; every member has a default. */
export interface MapOptions {
  /** concurrency: groups of up to 64 ops in flight at once, an integer from 1 to 1,024 (default 16; RangeError otherwise). */
  concurrency?: number | undefined;
  /** verify: `one` (default), `quorum` or `all`. */
  verify?: VerifyMode | undefined;
  /** jobId: names the job record and is written into every record stored (default: random). Reuse it to resume. */
  jobId?: string | undefined;
  /** signal: stops the job; `map` then resolves with status `cancelled`. */
  signal?: AbortSignal | undefined;
  /** onProgress: every `progressIntervalMs` (default 250) and once at the end (`final: true`). */
  onProgress?: ((progress: BulkProgress) => void) | undefined;
  progressIntervalMs?: number | undefined;
  /** onStored: keys this job stored, called only after the transaction that stored them returned. */
  onStored?: ((keys: string[]) => void) | undefined;
  /** onIssue: each op that failed, conflicts with a stored record, or met a dissenting node. */
  onIssue?: ((issue: BulkIssue) => void) | undefined;
  /** deadlineMs: per call deadline (default: the cluster's). */
  deadlineMs?: number | undefined;
  /**
   * checkExisting: `auto` (default) reads which keys of a group are stored before computing while
   * resuming a job or after stored keys were met; `always` reads for every group (a job then never
   * computes a stored key, at the cost of one more transaction per group). See ExistingCheck.
   */
  checkExisting?: 'auto' | 'always' | undefined;
  /** jobRecordIntervalMs: how often the job record is updated while running (default 2,000). */
  jobRecordIntervalMs?: number | undefined;
}
