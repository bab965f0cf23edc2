/**
 * rawTxn on a real etcd: compares on create revision (absent, present) and on value hold and fail
 * as etcd.kv.txn's do, puts (text and bytes, multi-byte UTF-8, values over 127 bytes) and deletes
 * land only when every compare holds, and the revision answered is etcd's.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { decodeTxnResult, encodeTxn, rawTxn } from '../../src/results/raw-txn.js';
import { uniqueNamespace } from '../support/namespace.js';

const endpoints = inject('etcdEndpoints');
const ns = `/${uniqueNamespace('raw-txn')}/`;
const etcd = createEtcdClient({ endpoints });

afterAll(async () => {
  await etcd.delete().prefix(ns).exec();
  etcd.close();
});

const get = async (key: string) => (await etcd.kv.range({ key: Buffer.from(ns + key) })).kvs[0];

describe('rawTxn', () => {
  it('puts when every key is absent, and answers the revision etcd wrote at', async () => {
    const long = `ü${'x'.repeat(300)}€`;
    const res = await rawTxn(
      etcd,
      [
        { key: `${ns}a`, created: 'absent' },
        { key: Buffer.from(`${ns}b`), created: 'absent' },
      ],
      [
        { key: `${ns}a`, value: long },
        { key: Buffer.from(`${ns}b`), value: Buffer.from([0, 255, 1]) },
      ],
    );
    expect(res.succeeded).toBe(true);
    const a = await get('a');
    expect(a?.value.toString('utf8')).toBe(long);
    expect([...(await get('b'))!.value]).toEqual([0, 255, 1]);
    expect(res.revision).toBe(a?.mod_revision);
    expect(a?.version).toBe('1');
  });

  it('writes nothing when one compare fails (absent key present, value differs, key not present)', async () => {
    await etcd.put(`${ns}claim`).value('me');
    const cases = [
      [{ key: `${ns}a`, created: 'absent' as const }],
      [{ key: `${ns}claim`, value: 'you' }],
      [{ key: `${ns}nothing`, created: 'present' as const }],
    ];
    for (const failing of cases) {
      const res = await rawTxn(
        etcd,
        [{ key: `${ns}claim`, value: 'me' }, ...failing],
        [{ key: `${ns}c`, value: 'no' }, { delete: `${ns}claim` }],
      );
      expect(res.succeeded).toBe(false);
      expect(await get('c')).toBeUndefined();
      expect((await get('claim'))?.value.toString()).toBe('me');
    }
  });

  it('deletes and puts when the value and presence compares hold', async () => {
    const res = await rawTxn(
      etcd,
      [
        { key: `${ns}claim`, value: 'me' },
        { key: `${ns}a`, created: 'present' },
        { key: `${ns}d`, created: 'absent' },
      ],
      [{ delete: `${ns}claim` }, { key: `${ns}d`, value: 'tally' }],
    );
    expect(res.succeeded).toBe(true);
    expect(await get('claim')).toBeUndefined();
    expect((await get('d'))?.value.toString()).toBe('tally');
  });

  it('runs nested transactions each on its own compares, and says which of them held', async () => {
    await etcd.put(`${ns}nest/taken`).value('old');
    const group = (keys: string[]) => ({
      txn: {
        compare: keys.map((k) => ({ key: `${ns}nest/${k}`, created: 'absent' as const })),
        success: keys.map((k) => ({ key: `${ns}nest/${k}`, value: `v-${k}` })),
      },
    });
    const res = await rawTxn(etcd, [], [group(['a', 'b']), group(['c', 'taken']), group(['d'])]);
    expect(res.succeeded).toBe(true);
    expect(res.nested).toEqual([true, false, true]);
    expect((await get('nest/a'))?.value.toString()).toBe('v-a');
    expect((await get('nest/d'))?.mod_revision).toBe(res.revision);
    expect(await get('nest/c')).toBeUndefined();
    expect((await get('nest/taken'))?.value.toString()).toBe('old');
  });

  it('rejects with etcd3 error when etcd refuses the request (too many operations)', async () => {
    const ops = Array.from({ length: 200 }, (_, i) => ({ key: `${ns}many/${i}`, value: 'v' }));
    await expect(rawTxn(etcd, [], ops)).rejects.toThrow(/too many operations/);
  });

  it('decodes a TxnResponse with lengths and revisions over one varint byte', () => {
    // header{cluster_id: 300, revision: 2^40 + 5}, succeeded true, one response skipped
    const rev = 2 ** 40 + 5;
    const varint = (n: number): number[] => {
      const out: number[] = [];
      while (n >= 0x80) {
        out.push((n % 128) | 0x80);
        n = Math.floor(n / 128);
      }
      out.push(n);
      return out;
    };
    const header = [0x08, ...varint(300), 0x18, ...varint(rev)];
    // a response_put {header{revision}} of 200 bytes, then a response_txn {succeeded: true}, then {succeeded: false}
    const putHeader = [0x0a, ...varint(197), ...Array.from({ length: 197 }, () => 0)];
    const put = [0x12, ...varint(putHeader.length), ...putHeader];
    const ok = [0x22, 2, 0x10, 1];
    const failed = [0x22, 2, 0x10, 0];
    const buf = Buffer.from([
      0x0a,
      header.length,
      ...header,
      0x10,
      1,
      0x1a,
      ...varint(put.length),
      ...put,
      0x1a,
      ok.length,
      ...ok,
      0x1a,
      failed.length,
      ...failed,
    ]);
    expect(decodeTxnResult(buf)).toEqual({
      succeeded: true,
      revision: String(rev),
      nested: [false, true, false],
    });
    expect(encodeTxn([], []).length).toBe(0);
  });
});
