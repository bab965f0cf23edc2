/**
 * Writing a submission's chunks: several chunks per etcd transaction, each put only if neither it
 * nor its tally exists, so a retried transaction that did commit (its chunks may be acked
 * already) writes nothing. An etcd with a lower `--max-txn-ops` refuses a transaction as too many
 * operations before applying any of it: the chunks go again in parts that fit, and later
 * transactions are smaller (txn-limit.ts).
 */
import { retryEtcd } from '../../util/retry-etcd.js';
import { narrower, txnLimit } from '../txn-limit.js';
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
  try {
    await retryEtcd(() => etcd.kv.txn(request), logger, undefined, 8);
  } catch (error) {
    if (batch.length === 1 || narrower(etcd, 2 * batch.length, error) === undefined) throw error;
    const part = Math.min(chunksPerTxn(etcd), Math.ceil(batch.length / 2));
    for (let i = 0; i < batch.length; i += part) await putChunks(host, batch.slice(i, i + part));
  }
}
