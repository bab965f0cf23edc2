/**
 * submitJob puts a job into the queue: a job record (put only if absent), then the ops in chunks
 * of CHUNK_OPS, several chunks per transaction (within etcd's 128 ops and 1.5 MiB per request;
 * one chunk in the first, twice as many in each next, so that workers start early),
 * a few transactions in flight, so that memory stays bounded however many ops stream in; then the
 * record again with `submitted: true`. Resolves once every op is durable in etcd.
 */
import { randomUUID } from 'node:crypto';
import type { BulkOp } from '../bulk-types.js';
import { checkSubmitOptions } from '../job-options.js';
import { checkJobId } from '../job-record.js';
import { MAX_TXN_BYTES } from '../put-if-absent.js';
import type { VerifyMode } from '../result-record.js';
import { CHUNK_OPS, encodeChunkOp, MAX_CHUNK_BYTES, serializeChunk } from './chunk.js';
import { chunksPerTxn, type PendingChunk, putChunks } from './chunk-put.js';
import { finishSubmission, tryFinalize } from './finalize.js';
import { createJobRecord } from './job-create.js';
import { errorText, QueueError } from './queue-error.js';
import type { QueueHost } from './queue-host.js';
import type { QueueJobRecord } from './queue-job-record.js';
import { chunkName, queueKey } from './queue-keys.js';
import { checkSpace } from './space.js';
import { endSubmission } from './submit-end.js';
import { MAX_ISSUES, type QueueIssue } from './tally.js';

/**
 * FIRST_CHUNKS_PER_TXN: chunks in the first transaction; each next one holds twice as many, up to
 * chunksPerTxn(). Workers can claim only what etcd holds: a first transaction of 64 chunks (bounded
 * by bytes: about 28 chunks of 1,000 small ops) kept them idle while the submitter encoded ~28,000
 * ops; one chunk first lets them start after 1,000.
 */
const FIRST_CHUNKS_PER_TXN = 1;
/** TXNS_IN_FLIGHT: submission transactions outstanding at once. */
const TXNS_IN_FLIGHT = 4;

/** SubmitOptions: the job id (default random), the verify mode, ops per chunk, and a signal. */
export interface SubmitOptions {
  jobId?: string | undefined;
  /**
   * verify: `one` (default): a worker computes in-process and stores its answer; `quorum`: the
   * worker also asks the other live nodes over RPC and stores only answers a majority of the live
   * nodes (itself included) agree on, naming them in the record (`verify: 'quorum'`); an op without
   * a quorum is counted failed (issue code `QUORUM`). Anything else: QueueError `UNSUPPORTED`.
   */
  verify?: 'one' | 'quorum' | undefined;
  /** chunkOps: ops per chunk, an integer from 1 to 4,096 (default CHUNK_OPS, 1,000; RangeError otherwise). */
  chunkOps?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * submitJob writes job `jobId` and its ops and resolves with the id once all are durable. Ops that
 * cannot be computed (unknown method, bad params or key) are counted failed (`rejected`) and kept
 * as issues; the rest are queued.
 * If the submission stops once the job record is written (`ops` throws, the signal aborts, etcd
 * fails), the job is ended (`failed`, or `cancelled` when aborted; its queued chunks deleted) and
 * QueueError `SUBMIT_FAILED` (or `NOSPACE`) says so, with the ops queued and the reason (`cause`).
 * A job whose submission stopped part way and was ended is started over under its id (createJobRecord).
 * @throws QueueError `JOB_EXISTS` (saying what the job is and what to do), `SPACE_LOW` / `NOSPACE` (checked before writing, and met while
 * writing), `UNSUPPORTED` (a verify mode other than `one` and `quorum`), `SUBMIT_FAILED`; TypeError
 * for a bad job id; the signal's reason when aborted before the job record is written.
 */
export async function submitJob(
  host: QueueHost,
  ops: Iterable<BulkOp> | AsyncIterable<BulkOp>,
  options: SubmitOptions = {},
): Promise<string> {
  checkSubmitOptions(options);
  const jobId = checkJobId(options.jobId ?? randomUUID());
  const verify: VerifyMode = options.verify ?? 'one';
  if (verify !== 'one' && verify !== 'quorum') {
    throw new QueueError(
      'UNSUPPORTED',
      `verify ${verify} is not supported by queued jobs; use 'one' or 'quorum'`,
    );
  }
  const chunkOps = options.chunkOps ?? CHUNK_OPS;
  const { etcd } = host;
  await checkSpace(etcd, host.space);
  const now = new Date().toISOString();
  const record: QueueJobRecord = {
    v: 1,
    kind: 'queue',
    jobId,
    status: 'running',
    counts: { total: 0, done: 0, stored: 0, skipped: 0, failed: 0, conflicts: 0 },
    verify,
    runs: 1,
    startedAt: now,
    updatedAt: now,
    chunks: 0,
    submitted: false,
    rejected: 0,
    issues: [],
  };
  await createJobRecord(host, record);
  const writer = new ChunkWriter(host, jobId, verify);
  let chunk: string[] = [];
  let chunkBytes = 0;
  const issues: QueueIssue[] = [];
  try {
    for await (const op of ops) {
      options.signal?.throwIfAborted();
      record.counts.total++;
      let json: string;
      try {
        json = encodeChunkOp(op);
      } catch (error) {
        record.rejected++;
        if (issues.length < MAX_ISSUES)
          issues.push({ kind: 'failed', key: op?.key, method: String(op?.method), error: errorText(error) });
        continue;
      }
      if (chunk.length > 0 && chunkBytes + json.length + 1 > MAX_CHUNK_BYTES) {
        await writer.add(chunk);
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push(json);
      chunkBytes += json.length + 1;
      if (chunk.length >= chunkOps) {
        await writer.add(chunk);
        chunk = [];
        chunkBytes = 0;
      }
    }
    if (chunk.length > 0) await writer.add(chunk);
    await writer.flush();
    record.chunks = writer.chunks;
    record.counts.failed = record.rejected;
    record.counts.done = record.rejected;
    record.issues = issues;
    await finishSubmission(host, record);
  } catch (error) {
    await writer.settle();
    const { counts, rejected } = record;
    await endSubmission(host, jobId, error, options.signal?.aborted === true, {
      counts,
      rejected,
      issues,
      chunks: writer.chunks,
      runs: record.runs,
      queued: writer.queued,
    });
  }
  await tryFinalize(host, jobId);
  return jobId;
}

/** ChunkWriter batches chunk puts into transactions, a few in flight. */
class ChunkWriter {
  chunks = 0;
  /** queued: ops in chunks whose transaction etcd confirmed. */
  queued = 0;
  #batch: PendingChunk[] = [];
  #bytes = 0;
  /** #perTxn: chunks the current transaction takes (doubles after each, up to chunksPerTxn()). */
  #perTxn = FIRST_CHUNKS_PER_TXN;
  readonly #inflight = new Set<Promise<void>>();
  #failed: unknown;

  constructor(
    private readonly host: QueueHost,
    private readonly jobId: string,
    private readonly verify: VerifyMode,
  ) {}

  /** add queues one chunk; resolves when there is room for more (rejects once a transaction failed). */
  async add(ops: readonly string[]): Promise<void> {
    const name = chunkName(this.chunks++, ops.length);
    const key = Buffer.from(queueKey(this.host.namespace, this.jobId, 'c', name));
    const tally = Buffer.from(queueKey(this.host.namespace, this.jobId, 't', name));
    const value = Buffer.from(serializeChunk(this.verify, ops));
    if (
      this.#batch.length >= this.#perTxn ||
      (this.#bytes + value.length > MAX_TXN_BYTES && this.#batch.length > 0)
    )
      await this.#send();
    this.#batch.push({ key, value, tally, ops: ops.length });
    this.#bytes += key.length + value.length;
  }

  /** flush sends what is batched and waits for every transaction. */
  async flush(): Promise<void> {
    if (this.#batch.length > 0) await this.#send();
    await this.settle();
    if (this.#failed !== undefined) throw this.#failed;
  }

  /** settle waits for the transactions in flight, whatever their outcome. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#inflight]);
  }

  async #send(): Promise<void> {
    if (this.#failed !== undefined) throw this.#failed;
    const batch = this.#batch;
    this.#batch = [];
    this.#bytes = 0;
    const { etcd } = this.host;
    this.#perTxn = Math.min(chunksPerTxn(etcd), this.#perTxn * 2);
    const ops = batch.reduce((n, c) => n + c.ops, 0);
    const txn = putChunks(this.host, batch).then(
      () => {
        this.queued += ops;
      },
      (error: unknown) => {
        this.#failed ??= error;
      },
    );
    this.#inflight.add(txn);
    void txn.finally(() => this.#inflight.delete(txn));
    if (this.#inflight.size >= TXNS_IN_FLIGHT) await Promise.race(this.#inflight);
    if (this.#failed !== undefined) throw this.#failed;
  }
}
