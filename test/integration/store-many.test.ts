/**
 * storeMany, the one write path of results, on a real etcd: stored / agrees / conflict in one call,
 * a group where some keys are stored already, keys named twice, unreadable values, and one flat
 * request for many groups of 64 fresh keys (nested transactions).
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { resultsPrefix } from '../../src/results/keys.js';
import { makeRecord, type ResultRecord, serializeResultRecord } from '../../src/results/result-record.js';
import { storeMany } from '../../src/results/store-many.js';
import { uniqueNamespace } from '../support/namespace.js';

const endpoints = inject('etcdEndpoints');
const namespace = uniqueNamespace('store-many');
const prefix = resultsPrefix(namespace);
const etcd = createEtcdClient({ endpoints });

afterAll(async () => {
  await etcd.delete().prefix(`/${namespace}/`).exec();
  etcd.close();
});

/** product is the record of A × B under `key` (answer `result`, default the true product). */
function product(key: string, a: number | string, b: number, result: unknown = Number(a) * b): ResultRecord {
  return makeRecord({
    key,
    method: 'Arith.Multiply',
    params: { A: a, B: b },
    answer: { result },
    nodes: ['n1'],
    verify: 'one',
  });
}

/** read returns each key's value and etcd versions under a key prefix. */
async function read(keyPrefix: string) {
  const res = await etcd
    .getAll()
    .prefix(prefix + keyPrefix)
    .exec();
  return new Map(
    res.kvs.map((kv) => [
      kv.key.toString().slice(prefix.length),
      { value: kv.value.toString(), version: kv.version, modRevision: kv.mod_revision },
    ]),
  );
}

describe('storeMany', () => {
  it('answers stored, agrees and conflict per record in one call, and overwrites nothing', async () => {
    const same = product('mix/same', 7, 8);
    const other = product('mix/other', 6, 9);
    expect(await storeMany(etcd, prefix, [same, other])).toEqual([
      { status: 'stored' },
      { status: 'stored' },
    ]);

    const later = { ...product('mix/same', 7, 8), nodes: ['n2'], verify: 'all' as const, job: 'j2' };
    const wrong = product('mix/other', 6, 9, 55);
    const fresh = product('mix/fresh', 2, 3);
    const outcomes = await storeMany(etcd, prefix, [later, wrong, fresh]);
    expect(outcomes).toEqual([
      { status: 'agrees', stored: same },
      { status: 'conflict', stored: other },
      { status: 'stored' },
    ]);
    const stored = await read('mix/');
    expect([...stored.values()].map((s) => s.version)).toEqual(['1', '1', '1']);
    expect(JSON.parse(stored.get('mix/same')!.value)).toEqual(same);
    expect(JSON.parse(stored.get('mix/other')!.value)).toEqual(other);
    expect(JSON.parse(stored.get('mix/fresh')!.value)).toEqual(fresh);
  });

  it('stores the absent half of a group where the other half is stored already, each once', async () => {
    const records = Array.from({ length: 100 }, (_, i) =>
      product(`half/${String(i).padStart(3, '0')}`, i, 3),
    );
    const before = records.filter((_, i) => i % 2 === 0);
    expect((await storeMany(etcd, prefix, before)).every((o) => o.status === 'stored')).toBe(true);
    const outcomes = await storeMany(etcd, prefix, records);
    outcomes.forEach((outcome, i) => {
      expect(outcome).toEqual(i % 2 === 0 ? { status: 'agrees', stored: records[i] } : { status: 'stored' });
    });
    const stored = await read('half/');
    expect(stored.size).toBe(100);
    for (const record of records) {
      const kv = stored.get(record.key)!;
      expect(kv.version).toBe('1');
      expect(JSON.parse(kv.value)).toEqual(record);
    }
  });

  it('stores fresh keys in one request, each 64 of them a nested flat transaction', async () => {
    const records = Array.from({ length: 128 }, (_, i) =>
      product(`flat/${String(i).padStart(3, '0')}`, i, 5),
    );
    await storeMany(etcd, prefix, records);
    const revisions = new Map<string, number>();
    for (const { modRevision } of (await read('flat/')).values())
      revisions.set(modRevision, (revisions.get(modRevision) ?? 0) + 1);
    expect([...revisions.values()]).toEqual([128]);
  });

  it('decides key by key only the group of a request where a key is stored already', async () => {
    const records = Array.from({ length: 300 }, (_, i) =>
      product(`groups/${String(i).padStart(3, '0')}`, i, 7),
    );
    expect(await storeMany(etcd, prefix, [records[150]!])).toEqual([{ status: 'stored' }]);
    const outcomes = await storeMany(etcd, prefix, records, 100);
    expect(outcomes.map((o) => o.status)).toEqual(records.map((_, i) => (i === 150 ? 'agrees' : 'stored')));
    const stored = await read('groups/');
    expect(stored.size).toBe(300);
    const revisions = new Map<string, number>();
    for (const [key, { version, modRevision }] of stored) {
      expect(version).toBe('1');
      if (key !== records[150]!.key) revisions.set(modRevision, (revisions.get(modRevision) ?? 0) + 1);
    }
    // 4 nested groups of 75 (4 + 75 ops within 100): 150-224 failed and went key by key
    expect([...revisions.values()]).toEqual([225, 74]);
  });

  it('stores 1,000 fresh keys in one request within the default max-txn-ops (a queue chunk)', async () => {
    const records = Array.from({ length: 1_000 }, (_, i) =>
      product(`chunk/${String(i).padStart(4, '0')}`, i, 11),
    );
    const outcomes = await storeMany(etcd, prefix, records, 125);
    expect(outcomes.every((o) => o.status === 'stored')).toBe(true);
    const revisions = new Set([...(await read('chunk/')).values()].map((kv) => kv.modRevision));
    expect(revisions.size).toBe(1);
  });

  it('compares a key named twice in one call with its first record', async () => {
    const first = product('twice/a', 4, 4);
    const again = { ...product('twice/a', 4, 4), nodes: ['n9'] };
    const differs = product('twice/b', 4, 5, 21);
    const outcomes = await storeMany(etcd, prefix, [first, product('twice/b', 4, 5), again, differs]);
    expect(outcomes.map((o) => o.status)).toEqual(['stored', 'stored', 'agrees', 'conflict']);
    expect(outcomes[2]).toEqual({ status: 'agrees', stored: first });
    expect((await read('twice/')).get('twice/a')!.version).toBe('1');
  });

  it('reports a value that is not a result record as a conflict saying why, and leaves it', async () => {
    await etcd.put(`${prefix}bad/x`).value('not json').exec();
    const record = product('bad/x', 1, 2);
    const [outcome] = await storeMany(etcd, prefix, [record, product('bad/y', 1, 3)]);
    expect(outcome?.status).toBe('conflict');
    expect(outcome?.stored).toBeUndefined();
    expect(outcome?.unreadable?.message).toBe('not JSON');
    expect((await read('bad/')).get('bad/x')!.value).toBe('not json');
  });

  it('writes the record as serializeResultRecord does', async () => {
    const record = product('text/1', '9007199254740993', 1, '9007199254740993');
    await storeMany(etcd, prefix, [record]);
    expect((await read('text/')).get('text/1')!.value).toBe(serializeResultRecord(record));
  });
});
