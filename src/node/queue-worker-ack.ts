/**
 * How a worker stores a claimed chunk's results and acks it in as few etcd round trips as etcd's
 * limits allow. The last FINISH_KEYS results go in the ack itself: one transaction whose compares
 * are "the claim is still ours, the chunk is there, every one of these result keys is absent" and
 * whose success puts those results, deletes chunk and claim and puts the chunk's tally. Results
 * before them are stored first with put-if-absent, WIDE_KEYS per nested transaction, several in
 * one request (a chunk of 1,000: claim, one store request, ack). When that ack's
 * compare fails (a result stored already by a worker that died, the claim lost, a retry of a try
 * that committed) nothing of it was written: the worker falls back to the plain path, storeMany
 * then an ack on its own, which recognises stored results (`agrees`) and never writes them twice.
 * An etcd whose max-txn-ops is below 128 refuses the wide transactions: the worker then keeps to
 * the plain path with 64 keys per transaction (fewer when etcd refuses 64: see putIfAbsent).
 */
import type { Etcd3 } from 'etcd3';
import type { Logger } from '../logger.js';
import { utf8Bytes } from '../results/put-if-absent-split.js';
import type { Tally } from '../results/queue/tally.js';
import { rawTxn } from '../results/raw-txn.js';
import type { ResultRecord } from '../results/result-record.js';
import { serializeResultRecord } from '../results/result-record.js';
import { storeMany } from '../results/store-many.js';
import { tooManyOps } from '../results/txn-limit.js';
import { retryEtcd } from '../util/retry-etcd.js';
import { countOutcomes } from './queue-worker-chunk.js';

/** FINISH_KEYS: results put in the ack transaction (etcd's default 128 ops per list: 125 puts, 2 deletes, the tally). */
export const FINISH_KEYS = 125;

/** WIDE_KEYS: put-if-absent keys per transaction before the ack (putIfAbsent nests them in smaller groups within etcd's default 128). */
export const WIDE_KEYS = 125;

/**
 * ACK_BYTES: the most UTF-8 bytes of results (values, and keys twice: put and compare) the ack
 * carries, well under etcd's 1.5 MiB request limit: large ops make fewer results go in the ack.
 */
export const ACK_BYTES = 512 * 1024;

/** AckKeys: the claimed chunk, its claim and this worker's token on it, and where its tally goes. */
export interface AckKeys {
  chunkKey: string;
  claimKey: string;
  token: string;
  tallyKey: string;
}

/** AckContext: the etcd client, the results prefix, a logger, and whether wide transactions are refused. */
export interface AckContext {
  etcd: Etcd3;
  prefix: string;
  logger: Logger;
  /** narrow: true once etcd refused a wide transaction (max-txn-ops below 128); set here. */
  narrow: boolean;
}

/**
 * storeAndAck stores `records` (put-if-absent) and acks the chunk with `tally` plus what became of
 * each record. Resolves true when this call acked, false when the claim was lost (or a retried ack
 * had committed: the chunk is gone either way) or etcd could not be reached for 20 tries.
 * @throws a permanent etcd error (permission, NOSPACE), as the plain path does.
 */
export async function storeAndAck(
  ctx: AckContext,
  records: readonly ResultRecord[],
  tally: Tally,
  keys: AckKeys,
): Promise<boolean> {
  if (!ctx.narrow) {
    try {
      // A copy: when etcd refuses the wide path half-way, the plain path counts from the start again.
      return await wide(ctx, records, { ...tally, issues: [...tally.issues] }, keys);
    } catch (error) {
      goNarrow(ctx, error);
    }
  }
  return plain(ctx, records, tally, keys);
}

/** goNarrow sets `ctx.narrow` (and says so once) when `error` is etcd refusing a wide transaction; else rethrows it. */
function goNarrow(ctx: AckContext, error: unknown): void {
  if (!tooManyOps(error)) throw error;
  ctx.narrow = true;
  ctx.logger.warn(
    { err: (error as Error).message },
    'etcd refuses wide transactions: 64 keys per transaction',
  );
}

/** wide: head with WIDE_KEYS per transaction, then the tail in the ack; the plain path for the tail when that fails. */
async function wide(
  ctx: AckContext,
  records: readonly ResultRecord[],
  tally: Tally,
  keys: AckKeys,
): Promise<boolean> {
  // The tail goes in the ack: the last FINISH_KEYS records, fewer when they pass ACK_BYTES.
  const values: string[] = [];
  let bytes = 0;
  let split = records.length;
  while (split > 0 && values.length < FINISH_KEYS) {
    const record = records[split - 1]!;
    const value = serializeResultRecord(record);
    // Bytes, as etcd counts them: 125 values of 4,000 '€' are 500,000 characters but 1.5 MB.
    const size = utf8Bytes(value) + 2 * utf8Bytes(ctx.prefix + record.key);
    if (values.length > 0 && bytes + size > ACK_BYTES) break;
    values.push(value);
    bytes += size;
    split--;
  }
  values.reverse();
  const head = records.slice(0, split);
  const tail = records.slice(split);
  if (head.length > 0) {
    const store = () => storeMany(ctx.etcd, ctx.prefix, head, WIDE_KEYS);
    const outcomes = await retryEtcd(store, ctx.logger, undefined, 20);
    if (!outcomes) return false;
    countOutcomes(tally, head, outcomes);
  }
  if (new Set(tail.map((r) => r.key)).size === tail.length) {
    let acked: boolean | undefined = false;
    try {
      acked = await retryEtcd(() => ackWith(ctx, tail, values, tally, keys), ctx.logger, undefined, 20);
    } catch (error) {
      // The head is stored and counted: only the tail goes the plain way (else it counts as skipped).
      goNarrow(ctx, error);
    }
    if (acked !== false) return acked === true;
  }
  return plain(ctx, tail, tally, keys);
}

/** plain stores `records` with storeMany (64 per transaction, or WIDE_KEYS), then acks on its own. */
async function plain(
  ctx: AckContext,
  records: readonly ResultRecord[],
  tally: Tally,
  keys: AckKeys,
): Promise<boolean> {
  if (records.length > 0) {
    const per = ctx.narrow ? undefined : WIDE_KEYS;
    const store = () => storeMany(ctx.etcd, ctx.prefix, records, per);
    const outcomes = await retryEtcd(store, ctx.logger, undefined, 20);
    if (!outcomes) return false;
    countOutcomes(tally, records, outcomes);
  }
  const acked = await retryEtcd(() => ackWith(ctx, [], [], tally, keys), ctx.logger, undefined, 20);
  return acked === true;
}

/**
 * ackWith is one transaction: if the claim carries our token, the chunk exists and every key of
 * `records` is absent, put those records (serialized as `values`), delete chunk and claim, and
 * put the tally (with `records` counted stored). False when a compare failed: then it wrote nothing.
 */
async function ackWith(
  ctx: AckContext,
  records: readonly ResultRecord[],
  values: readonly string[],
  tally: Tally,
  keys: AckKeys,
): Promise<boolean> {
  const resultKeys = records.map((r) => ctx.prefix + r.key);
  const counted = { ...tally, stored: tally.stored + records.length };
  const res = await rawTxn(
    ctx.etcd,
    [
      { key: keys.claimKey, value: keys.token },
      { key: keys.chunkKey, created: 'present' },
      ...resultKeys.map((key) => ({ key, created: 'absent' as const })),
    ],
    [
      ...resultKeys.map((key, i) => ({ key, value: values[i]! })),
      { delete: keys.chunkKey },
      { delete: keys.claimKey },
      { key: keys.tallyKey, value: JSON.stringify(counted) },
    ],
  );
  return res.succeeded;
}
