/** Checks of putIfAbsent outcomes against what etcd holds afterwards (put-if-absent tests). */
import type { Etcd3 } from 'etcd3';
import { expect } from 'vitest';
import type { PutIfAbsentItem, PutIfAbsentOutcome } from '../../src/results/put-if-absent.js';

/** seed puts a value of its own (`seeded:<key>`) under each item's key and returns key → that value. */
export async function seed(etcd: Etcd3, items: readonly PutIfAbsentItem[]): Promise<Map<string, string>> {
  const seeded = new Map(items.map((item) => [item.key, `seeded:${item.key}`] as const));
  await Promise.all([...seeded].map(([key, value]) => etcd.put(key).value(value).exec()));
  return seeded;
}

/** commonPrefix is the longest prefix every key shares. */
function commonPrefix(keys: readonly string[]): string {
  let prefix = keys[0] ?? '';
  for (const key of keys) while (!key.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/**
 * checkOutcomes asserts one outcome per item, in order: a key in `before` (key → the value stored
 * there before the call) reported not stored with that value and left as it was; every other key
 * reported stored at the revision etcd holds it at, with our value; every key at version 1.
 */
export async function checkOutcomes(
  etcd: Etcd3,
  items: readonly PutIfAbsentItem[],
  outcomes: readonly PutIfAbsentOutcome[],
  before: ReadonlyMap<string, string>,
): Promise<void> {
  expect(outcomes.length).toBe(items.length);
  if (items.length === 0) return;
  const res = await etcd.kv.range({
    key: Buffer.from(commonPrefix(items.map((i) => i.key))),
    range_end: Buffer.from(`${commonPrefix(items.map((i) => i.key))}\xff`),
  });
  const kvs = new Map(res.kvs.map((kv) => [kv.key.toString('utf8'), kv] as const));
  items.forEach((item, i) => {
    const outcome = outcomes[i]!;
    const kv = kvs.get(item.key);
    expect(outcome.key, `outcome ${i}`).toBe(item.key);
    expect(kv, `${item.key} in etcd`).toBeDefined();
    expect(kv!.version, `${item.key} version`).toBe('1');
    const old = before.get(item.key);
    if (old === undefined) {
      expect(outcome, `${item.key} stored`).toEqual({
        key: item.key,
        stored: true,
        revision: kv!.mod_revision,
      });
      expect(kv!.value.toString('utf8') === item.value, `${item.key} holds our value`).toBe(true);
    } else {
      expect(outcome.stored, `${item.key} not stored`).toBe(false);
      expect(!outcome.stored && outcome.existing === old, `${item.key} reported as found`).toBe(true);
      expect(kv!.value.toString('utf8') === old, `${item.key} unchanged`).toBe(true);
    }
  });
}
