/**
 * How putIfAbsent splits items into etcd requests: flat transactions of at most `keysPerTxn` keys,
 * requests of nested groups that fit etcd's max-txn-ops along each path, every request within
 * MAX_TXN_BYTES of UTF-8 (etcd bounds requests in bytes, not in JavaScript characters).
 */

/** MAX_KEYS_PER_TXN: keys per flat transaction (etcd allows 128 ops per transaction by default). */
export const MAX_KEYS_PER_TXN = 64;

/** MAX_TXN_BYTES: UTF-8 bytes of keys and values per transaction, under etcd's default 1.5 MiB request limit. */
export const MAX_TXN_BYTES = 1_000_000;

/** utf8Bytes: the UTF-8 size of `s`, as etcd counts it. */
export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** chunk splits items into transactions of at most `keysPerTxn` (default MAX_KEYS_PER_TXN) keys and MAX_TXN_BYTES bytes. */
export function chunk<T extends { key: string; value?: string }>(
  items: readonly T[],
  keysPerTxn = MAX_KEYS_PER_TXN,
): T[][] {
  return split(
    items,
    keysPerTxn,
    (item) => utf8Bytes(item.key) + (item.value === undefined ? 0 : utf8Bytes(item.value)),
  );
}

/**
 * requests splits items into requests of at most MAX_TXN_BYTES (keys twice: compare and put) and
 * as many keys as nested groups can hold within `limit` ops per path (⌊limit/2⌋·⌈limit/2⌉).
 */
export function requests<T extends { key: string; value: string }>(
  items: readonly T[],
  limit: number,
): T[][] {
  const most = Math.floor(limit / 2) * Math.ceil(limit / 2);
  return split(items, most, (item) => 2 * utf8Bytes(item.key) + utf8Bytes(item.value));
}

/** split cuts items, in order, into runs of at most `most` items and MAX_TXN_BYTES of `size` (a larger item alone). */
function split<T>(items: readonly T[], most: number, size: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && (current.length >= most || bytes + n > MAX_TXN_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** nestedGroups splits items into the fewest groups G whose size is at most `limit - G` (G·(limit − G) ≥ items). */
export function nestedGroups<T>(items: readonly T[], limit: number): T[][] {
  let groups = 2;
  while (groups * (limit - groups) < items.length) groups++;
  const size = Math.ceil(items.length / groups);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
