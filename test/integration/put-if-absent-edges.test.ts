/**
 * putIfAbsent at its edges on a real etcd: request and group boundaries for several `keysPerTxn`
 * (1, 2, 3, 64, 127, 128, 125), fresh keys mixed with stored ones in every group, keys of different
 * sizes, values near MAX_TXN_BYTES (also multi-byte UTF-8), empty input and one item. After each
 * call every key reported stored is in etcd at version 1 with our value, and every key found
 * stored is reported with the value that was there, unchanged.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { MAX_TXN_BYTES, type PutIfAbsentItem, putIfAbsent } from '../../src/results/put-if-absent.js';
import { uniqueNamespace } from '../support/namespace.js';
import { checkOutcomes, seed } from '../support/put-if-absent-check.js';

const endpoints = inject('etcdEndpoints');
const ns = `/${uniqueNamespace('pia-edges')}/`;
const etcd = createEtcdClient({ endpoints });

afterAll(async () => {
  await etcd.delete().prefix(ns).exec();
  etcd.close();
});

/** items of `n` keys under `dir`, key lengths varying with the index. */
function items(dir: string, n: number): PutIfAbsentItem[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `${ns}${dir}/${String(i).padStart(5, '0')}${'k'.repeat(i % 37)}`,
    value: `v${i}-${'x'.repeat((i * 13) % 300)}`,
  }));
}

/** sizes: item counts at the boundaries of one flat transaction, of nested groups and of one request. */
function sizes(limit: number): number[] {
  const most = Math.floor(limit / 2) * Math.ceil(limit / 2);
  const out = [0, 1, limit - 1, limit, limit + 1, most - 1, most, most + 1, 2 * most + 1];
  // the item counts where nestedGroups moves from G to G + 1 groups
  for (let g = 2; g <= Math.floor(limit / 2); g++) out.push(g * (limit - g), g * (limit - g) + 1);
  return [...new Set(out.filter((n) => n >= 0 && n <= 4_200))].sort((a, b) => a - b);
}

describe('putIfAbsent at request and group boundaries', () => {
  for (const limit of [1, 2, 3, 5, 64, 125, 127, 128]) {
    it(`keysPerTxn ${limit}: fresh, partly stored and all stored, at every boundary`, async () => {
      const all = sizes(limit);
      // for wide limits: the smallest, the largest and every tenth count
      const counts = limit < 64 ? all : all.filter((_, i) => i < 9 || i % 10 === 0 || i === all.length - 1);
      for (const n of counts) {
        const batch = items(`l${limit}/n${n}`, n);
        // every 7th key (and the last) stored already, with a value of its own
        const seeded = await seed(
          etcd,
          batch.filter((_, i) => i % 7 === 3 || i === n - 1),
        );
        await checkOutcomes(etcd, batch, await putIfAbsent(etcd, batch, limit), seeded);
        // a second call stores nothing and reports every value as it is
        const again = await putIfAbsent(etcd, batch, limit);
        const now = new Map([...batch.map((i) => [i.key, i.value] as const), ...seeded]);
        await checkOutcomes(etcd, batch, again, now);
      }
    }, 120_000);
  }

  it('resolves with no outcomes for no items, and stores a single item', async () => {
    expect(await putIfAbsent(etcd, [])).toEqual([]);
    const one = [{ key: `${ns}single`, value: 'one' }];
    await checkOutcomes(etcd, one, await putIfAbsent(etcd, one), new Map());
  });

  it('stores values near MAX_TXN_BYTES, alone and among small ones, each once', async () => {
    const big = (i: number, n: number) => ({ key: `${ns}big/${i}`, value: String(i).repeat(n) });
    const all = [
      big(0, MAX_TXN_BYTES - 40),
      ...items('big/small-a', 200),
      big(1, MAX_TXN_BYTES / 2),
      big(2, MAX_TXN_BYTES / 2 - 60),
      ...items('big/small-b', 100),
      big(3, 300_000),
    ];
    const seeded = await seed(etcd, [all[5]!, all[250]!]);
    await checkOutcomes(etcd, all, await putIfAbsent(etcd, all, 125), seeded);
  }, 60_000);

  it('counts UTF-8 bytes, not characters: values of 900 KB in 300,000 characters go one per request', async () => {
    // 300,000 characters of 3 bytes each: 900 KB apiece, 2.7 MB for three
    const all = [0, 1, 2].map((i) => ({ key: `${ns}utf8/${i}`, value: `${i}${'€'.repeat(300_000)}` }));
    await checkOutcomes(etcd, all, await putIfAbsent(etcd, all), new Map());
  }, 60_000);

  it('refuses a key named twice in one request and writes nothing; named in two requests, stores it once', async () => {
    // 11 keys: one flat transaction; 71: two nested groups, the key in each
    for (const n of [10, 70]) {
      const some = items(`twice/one${n}`, n);
      const twice = [...some, { key: some[3]!.key, value: 'again' }];
      await expect(putIfAbsent(etcd, twice)).rejects.toThrow(/duplicate key/);
      expect(await etcd.getAll().prefix(`${ns}twice/one${n}/`).keys()).toEqual([]);
    }
    // one key per request (keysPerTxn 1): the requests race, put-if-absent lets exactly one win
    const apart = [
      { key: `${ns}twice/two`, value: 'first' },
      { key: `${ns}twice/two`, value: 'second' },
    ];
    const outcomes = await putIfAbsent(etcd, apart, 1);
    const kv = (await etcd.kv.range({ key: Buffer.from(`${ns}twice/two`) })).kvs[0]!;
    expect(kv.version).toBe('1');
    const winner = outcomes.findIndex((o) => o.stored);
    expect(outcomes.filter((o) => o.stored)).toHaveLength(1);
    expect(kv.value.toString()).toBe(apart[winner]!.value);
    expect(outcomes[1 - winner]).toEqual({
      key: apart[0]!.key,
      stored: false,
      existing: apart[winner]!.value,
    });
  });
});
