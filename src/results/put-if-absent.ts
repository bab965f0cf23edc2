/**
 * Batched put-if-absent: one etcd transaction stores up to 64 keys. First a flat one (every
 * `createRevision(key) == 0`, then put all: the common case of fresh keys, in one round trip;
 * several such groups share one request as nested transactions); if some key of a group exists,
 * a second transaction decides each key on its own, in a nested txn (etcd ≥ 3.3): put when
 * absent, else read the stored value back. Every compare is put-if-absent,
 * so a retried transaction (etcd3 retries internally, callers retry on leader changes) can never
 * store a key twice.
 */
import type { Etcd3, IRequestOp, ITxnResponse } from 'etcd3';
import { chunk, MAX_KEYS_PER_TXN, nestedGroups, requests } from './put-if-absent-split.js';
import { type RawNested, type RawTxnResult, rawTxn } from './raw-txn.js';
import { narrower, txnLimit } from './txn-limit.js';

export { chunk, MAX_KEYS_PER_TXN, MAX_TXN_BYTES, nestedGroups, requests } from './put-if-absent-split.js';

/** PutIfAbsentItem is one full etcd key and the value to store there if it is absent. */
export interface PutIfAbsentItem {
  key: string;
  value: string;
}

/**
 * PutIfAbsentOutcome: `stored` when this transaction created the key (at `revision`); else the value
 * found there (`existing`, which may be byte-identical to ours if an earlier try of ours committed
 * but its answer was lost: such a key is present, but it is not reported as stored by this call).
 */
export type PutIfAbsentOutcome =
  | { key: string; stored: true; revision: string }
  | { key: string; stored: false; existing: string };

/** Buffers of one item, made once for either form of the transaction. */
interface Encoded {
  key: Buffer;
  value: Buffer;
}

function absent(key: Buffer) {
  return { key, target: 'Create' as const, result: 'Equal' as const, create_revision: 0 };
}

function createIfAbsent({ key, value }: Encoded): IRequestOp {
  return {
    request_txn: {
      compare: [absent(key)],
      success: [{ request_put: { key, value } }],
      failure: [{ request_range: { key } }],
    },
  };
}

/**
 * putIfAbsent stores each item whose key does not exist yet and returns one outcome per item, in
 * order. Up to `keysPerTxn` keys (default 64; at most etcd's max-txn-ops, 128 by default) go in
 * one flat transaction; more go in one request as nested transactions, G groups of at most
 * `keysPerTxn - G` keys each (etcd counts a nested transaction's ops against what its parent
 * leaves of max-txn-ops), up to MAX_TXN_BYTES of keys and values per request: each request costs
 * the caller about a millisecond of CPU whatever it holds, and a queue worker stored 1,000
 * results in 7 of them.
 * Keys must be distinct: the caller's duty (storeMany, the one caller, splits repeated keys into
 * rounds already; checking again here cost a Set of every full key per call, ~2.5% of a queue
 * worker's CPU); a key repeated within one request makes etcd refuse it (`duplicate key given in
 * txn request`, nested groups too), so it fails loudly; repeated in two requests (more than one
 * request's worth of keys apart), one write wins and the other reports it as existing: never
 * stored twice either way. Requests of one call run concurrently; any
 * rejection (etcd unavailable, deadline) rejects the whole call, after which some keys may be
 * stored: calling again is safe and reports those as existing. When etcd refuses a request as
 * too many operations (a `--max-txn-ops` below `keysPerTxn`), that request wrote nothing: its
 * items go again with half as many keys per transaction, and the client remembers (txn-limit.ts).
 */
export async function putIfAbsent(
  etcd: Etcd3,
  items: readonly PutIfAbsentItem[],
  keysPerTxn = MAX_KEYS_PER_TXN,
): Promise<PutIfAbsentOutcome[]> {
  const limit = txnLimit(etcd, keysPerTxn);
  const parts = await Promise.all(
    requests(items, limit).map((part) =>
      part.length <= limit
        ? storeChunk(etcd, part, limit)
        : storeGroups(etcd, nestedGroups(part, limit), limit),
    ),
  );
  return parts.flat();
}

/**
 * storeGroups stores several groups in one request, each a nested flat put-if-absent (every key
 * absent → put them all); a group whose compare failed wrote nothing and is decided key by key
 * (storeEach), as storeChunk does.
 */
async function storeGroups(
  etcd: Etcd3,
  groups: PutIfAbsentItem[][],
  limit: number,
): Promise<PutIfAbsentOutcome[]> {
  let res: RawTxnResult;
  try {
    res = await rawTxn(
      etcd,
      [],
      groups.map((items) => ({ txn: allAbsent(items) })),
    );
  } catch (error) {
    return narrowed(etcd, groups.flat(), limit, error);
  }
  const parts = await Promise.all(
    groups.map((items, i) =>
      res.nested[i] === true ? stored(items, res.revision) : storeEach(etcd, items, limit),
    ),
  );
  return parts.flat();
}

/** allAbsent is the flat put-if-absent of `items`: every key absent, then put them all. */
function allAbsent(items: readonly PutIfAbsentItem[]): RawNested {
  return {
    compare: items.map(({ key }) => ({ key, created: 'absent' as const })),
    success: items.map(({ key, value }) => ({ key, value })),
  };
}

/**
 * narrowed stores `items` again with fewer keys per transaction when `error` is etcd refusing a
 * request of `limit` as too many operations (it wrote nothing); otherwise it rethrows `error`.
 */
function narrowed(
  etcd: Etcd3,
  items: PutIfAbsentItem[],
  limit: number,
  error: unknown,
): Promise<PutIfAbsentOutcome[]> {
  const next = narrower(etcd, limit, error);
  if (next === undefined) throw error;
  return putIfAbsent(etcd, items, next);
}

function stored(items: readonly PutIfAbsentItem[], revision: string): PutIfAbsentOutcome[] {
  return items.map((item): PutIfAbsentOutcome => ({ key: item.key, stored: true, revision }));
}

/**
 * storeChunk stores one transaction's worth. Fresh keys are the common case (a new bulk job), so it
 * first tries one flat transaction: every key absent, then put them all. Only when some key exists
 * (that transaction then wrote nothing) does it decide each key on its own (storeEach).
 */
async function storeChunk(
  etcd: Etcd3,
  items: PutIfAbsentItem[],
  limit: number,
): Promise<PutIfAbsentOutcome[]> {
  // The flat try is raw protobuf (rawTxn): it is the hot path of every bulk and queued job.
  let flat: RawTxnResult;
  try {
    const { compare, success } = allAbsent(items);
    flat = await rawTxn(etcd, compare, success);
  } catch (error) {
    return narrowed(etcd, items, limit, error);
  }
  return flat.succeeded ? stored(items, flat.revision) : storeEach(etcd, items, limit);
}

/**
 * storeEach decides each key on its own in transactions of nested ones: put when absent, else read
 * the stored value. At most `limit - 1` keys per transaction: etcd checks each nested txn's one op
 * against what its parent's `n` leave of max-txn-ops (128 keys with a limit of 128 were refused).
 */
async function storeEach(
  etcd: Etcd3,
  items: PutIfAbsentItem[],
  limit: number,
): Promise<PutIfAbsentOutcome[]> {
  const per = Math.max(1, limit - 1);
  if (items.length > per) {
    const parts: Promise<PutIfAbsentOutcome[]>[] = [];
    for (let i = 0; i < items.length; i += per) parts.push(storeEach(etcd, items.slice(i, i + per), limit));
    return (await Promise.all(parts)).flat();
  }
  const encoded = items.map(
    (item): Encoded => ({ key: Buffer.from(item.key), value: Buffer.from(item.value) }),
  );
  const res: ITxnResponse = await etcd.kv.txn({ success: encoded.map(createIfAbsent) });
  return items.map((item, i): PutIfAbsentOutcome => {
    const inner = res.responses[i]?.response_txn;
    if (!inner) throw new Error(`etcd answered a txn of ${items.length} ops with ${res.responses.length}`);
    if (inner.succeeded) return { key: item.key, stored: true, revision: res.header.revision };
    const kv = inner.responses[0]?.response_range?.kvs[0];
    return { key: item.key, stored: false, existing: kv ? kv.value.toString('utf8') : '' };
  });
}

/**
 * existingKeys reads which of `keys` exist, with one keys-only range per key, up to 64 per
 * transaction. Serializable (every range is, so etcd answers from the member it reaches without a
 * quorum round): a stale answer only costs work, since the put-if-absent write decides.
 */
export async function existingKeys(etcd: Etcd3, keys: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const parts = chunk(keys.map((key) => ({ key })));
  await Promise.all(
    parts.map(async (part) => {
      const res = await etcd.kv.txn({
        success: part.map(({ key }) => ({
          request_range: { key: Buffer.from(key), keys_only: true, serializable: true },
        })),
      });
      for (const r of res.responses) {
        const kv = r.response_range?.kvs[0];
        if (kv) found.add(kv.key.toString('utf8'));
      }
    }),
  );
  return found;
}
