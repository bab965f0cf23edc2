/**
 * Writing a submission's chunks: several chunks per etcd transaction, each put only if neither it
 * nor its tally exists, so a retried transaction that did commit (its chunks may be acked
 * already) writes nothing. An etcd with a lower `--max-txn-ops` refuses a transaction as too many
 * operations before applying any of it: the chunks go again in parts that fit, and later
 * transactions are smaller (txn-limit.ts).
 */
import { retryEtcd } from '../../util/retry-etcd.js';
import { narrower, txnLimit } from '../txn-limit.js';
import { QueueError } from './queue-error.js';
import type { QueueHost } from './queue-host.js';

/** CHUNKS_PER_TXN: chunk puts per transaction, two compares each (etcd allows 128 ops per transaction by default). */
const CHUNKS_PER_TXN = 64;

/** PendingChunk: one chunk's key and value, its tally's key (which must not exist either) and its op count. */
export interface PendingChunk {
  key: Buffer;
  value: Buffer;
  tally: Buffer;
  ops: number;
}

/** chunksPerTxn: CHUNKS_PER_TXN, or fewer when `etcd` refused as many ops before (two compares a chunk). */
export function chunksPerTxn(etcd: object): number {
  return Math.max(1, Math.floor(txnLimit(etcd, 2 * CHUNKS_PER_TXN) / 2));
}

const absent = (key: Buffer) => ({
  key,
  target: 'Create' as const,
  result: 'Equal' as const,
  create_revision: 0,
});

/**
 * putChunks writes `batch` in one transaction, retried through leader changes; refused as too
 * many operations (nothing written), in parts of what etcd allows. Rejects with etcd's error
 * otherwise.
 */
export async function putChunks(host: QueueHost, batch: readonly PendingChunk[]): Promise<void> {
  const { etcd, logger } = host;
  const request = {
    compare: batch.flatMap((c) => [absent(c.key), absent(c.tally)]),
    success: batch.map(({ key, value }) => ({ request_put: { key, value } })),
  };
  let written: boolean;
  try {
    written = (await retryEtcd(() => etcd.kv.txn(request), logger, undefined, 8))?.succeeded ?? true;
  } catch (error) {
    if (batch.length === 1 || narrower(etcd, 2 * batch.length, error) === undefined) throw error;
    const part = Math.min(chunksPerTxn(etcd), Math.ceil(batch.length / 2));
    for (let i = 0; i < batch.length; i += part) await putChunks(host, batch.slice(i, i + part));
    return;
  }
  if (!written) await putMissing(host, batch);
}

/**
 * putMissing decides a batch whose transaction wrote nothing because some chunk or tally existed.
 * A chunk holding exactly our value, or whose tally exists, is ours (a retried try that committed,
 * perhaps acked since); the chunks found neither way are put again, one at a time. A chunk holding
 * other ops was written by another submission of the job (one still running after its job was
 * ended and started over): that throws, so the submission ends instead of losing those ops silently.
 */
async function putMissing(host: QueueHost, batch: readonly PendingChunk[]): Promise<void> {
  const { etcd, logger } = host;
  for (const c of batch) {
    const read = await retryEtcd(
      () =>
        etcd.kv.txn({
          compare: [],
          success: [{ request_range: { key: c.key } }, { request_range: { key: c.tally } }],
        }),
      logger,
      undefined,
      8,
    );
    const [chunk, tally] = (read?.responses ?? []).map((r) => r.response_range?.kvs[0]);
    if (chunk && !chunk.value.equals(c.value)) {
      throw new QueueError(
        'SUBMIT_FAILED',
        `queue chunk ${c.key.toString()} holds other ops: another submission of this job wrote it`,
      );
    }
    if (!chunk && !tally) await putChunks(host, [c]);
  }
}
