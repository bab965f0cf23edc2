/**
 * storeAndAck, a worker's store and ack of one claimed chunk, on a real etcd: fresh results go in
 * two requests, the last 125 in the ack and the rest before it in nested groups of one request, results stored already by a worker that
 * died are recognised and never written twice, a lost claim acks nothing, a key named twice is
 * stored once, and the ack carries at most ACK_BYTES of UTF-8 however many bytes a character takes.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { ACK_BYTES, type AckKeys, storeAndAck } from '../../src/node/queue-worker-ack.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { resultsPrefix } from '../../src/results/keys.js';
import { queueKey } from '../../src/results/queue/queue-keys.js';
import { emptyTally } from '../../src/results/queue/tally.js';
import { makeRecord, type ResultRecord, serializeResultRecord } from '../../src/results/result-record.js';
import { uniqueNamespace } from '../support/namespace.js';

const endpoints = inject('etcdEndpoints');
const namespace = uniqueNamespace('worker-ack');
const prefix = resultsPrefix(namespace);
const etcd = createEtcdClient({ endpoints });
const ctx = () => ({ etcd, prefix, logger: silentLogger(), narrow: false });

afterAll(async () => {
  await etcd.delete().prefix(`/${namespace}/`).exec();
  etcd.close();
});

function product(key: string, a: number, result = a * (a + 1)): ResultRecord {
  const params = { A: a, B: a + 1 };
  return makeRecord({
    key,
    method: 'Arith.Multiply',
    params,
    answer: { result },
    nodes: ['w1'],
    verify: 'one',
  });
}

/** claimed puts a chunk and its claim (token `w1/1`) for job `job`, and returns the ack keys. */
async function claimed(job: string, claimToken = 'w1/1'): Promise<AckKeys> {
  const keys = {
    chunkKey: queueKey(namespace, job, 'c', '0000000000-250'),
    claimKey: queueKey(namespace, job, 'w', '0000000000-250'),
    tallyKey: queueKey(namespace, job, 't', '0000000000-250'),
    token: 'w1/1',
  };
  await etcd.put(keys.chunkKey).value('{}');
  await etcd.put(keys.claimKey).value(claimToken);
  return keys;
}

async function results(job: string) {
  const res = await etcd.getAll().prefix(`${prefix}${job}/`).exec();
  return res.kvs.map((kv) => ({ value: kv.value.toString(), version: kv.version, rev: kv.mod_revision }));
}

async function get(key: string) {
  const res = await etcd.get(key).exec();
  return res.kvs[0];
}

describe('storeAndAck', () => {
  it('stores 250 fresh results in two transactions, the second of them the ack', async () => {
    const keys = await claimed('fresh');
    const records = Array.from({ length: 250 }, (_, i) => product(`fresh/${i}`, i));
    expect(await storeAndAck(ctx(), records, emptyTally(), keys)).toBe(true);
    const stored = await results('fresh');
    expect(stored).toHaveLength(250);
    expect(stored.every((r) => r.version === '1')).toBe(true);
    const perRevision = new Map<string, number>();
    for (const r of stored) perRevision.set(r.rev, (perRevision.get(r.rev) ?? 0) + 1);
    expect([...perRevision.values()]).toEqual([125, 125]);
    const tally = await get(keys.tallyKey);
    expect(JSON.parse(tally!.value.toString())).toMatchObject({ stored: 250, skipped: 0, conflicts: 0 });
    const last = [...perRevision.keys()].reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b));
    expect(tally!.mod_revision).toBe(last);
    expect(await get(keys.chunkKey)).toBeUndefined();
    expect(await get(keys.claimKey)).toBeUndefined();
  });

  it('stores a chunk of 1,000 fresh results in two requests (one of nested groups, then the ack), staying wide', async () => {
    const keys = await claimed('thousand');
    const records = Array.from({ length: 1_000 }, (_, i) => product(`thousand/${i}`, i));
    const c = ctx();
    expect(await storeAndAck(c, records, emptyTally(), keys)).toBe(true);
    expect(c.narrow).toBe(false);
    const stored = await results('thousand');
    expect(stored).toHaveLength(1_000);
    const perRevision = new Map<string, number>();
    for (const r of stored) perRevision.set(r.rev, (perRevision.get(r.rev) ?? 0) + 1);
    expect([...perRevision.values()]).toEqual([875, 125]);
    expect(JSON.parse((await get(keys.tallyKey))!.value.toString())).toMatchObject({ stored: 1_000 });
  });

  it('a redo: results stored already are recognised, never written twice, a disagreeing one is a conflict', async () => {
    const keys = await claimed('redo');
    const records = Array.from({ length: 250 }, (_, i) => product(`redo/${i}`, i));
    const before = [3, 200, 201, 249].map((i) => records[i]!);
    for (const r of before) await etcd.put(prefix + r.key).value(serializeResultRecord(r));
    const liar = product('redo/7', 7, 0);
    await etcd.put(prefix + liar.key).value(serializeResultRecord(liar));
    expect(await storeAndAck(ctx(), records, emptyTally(), keys)).toBe(true);
    const stored = await results('redo');
    expect(stored).toHaveLength(250);
    expect(stored.every((r) => r.version === '1')).toBe(true);
    expect((await get(prefix + liar.key))!.value.toString()).toBe(serializeResultRecord(liar));
    const tally = JSON.parse((await get(keys.tallyKey))!.value.toString());
    expect(tally).toMatchObject({ stored: 245, skipped: 4, conflicts: 1 });
    expect(await get(keys.chunkKey)).toBeUndefined();
  });

  it('a lost claim (another token) acks nothing: chunk and claim stay, no tally', async () => {
    const keys = await claimed('lost', 'w2/9');
    const records = Array.from({ length: 10 }, (_, i) => product(`lost/${i}`, i));
    expect(await storeAndAck(ctx(), records, emptyTally(), keys)).toBe(false);
    expect(await get(keys.tallyKey)).toBeUndefined();
    expect((await get(keys.claimKey))!.value.toString()).toBe('w2/9');
    expect(await get(keys.chunkKey)).toBeDefined();
  });

  it('the ack carries at most ACK_BYTES of UTF-8 when values are multi-byte characters', async () => {
    const keys = await claimed('euro');
    // 125 errors of 4,000 '€' (3 bytes each): ~4,150 characters but ~12,150 bytes per result.
    const records = Array.from({ length: 125 }, (_, i) =>
      makeRecord({
        key: `euro/${i}`,
        method: 'Arith.Divide',
        params: { A: i, B: 0 },
        answer: { error: { code: 1001, message: '€'.repeat(4_000) } },
        nodes: ['w1'],
        verify: 'one',
      }),
    );
    expect(await storeAndAck(ctx(), records, emptyTally(), keys)).toBe(true);
    const stored = await results('euro');
    expect(stored).toHaveLength(125);
    const tally = await get(keys.tallyKey);
    expect(JSON.parse(tally!.value.toString())).toMatchObject({ stored: 125, skipped: 0 });
    // The ack is the transaction that put the tally: its results, values and keys twice, in bytes.
    const inAck = stored.filter((r) => r.rev === tally!.mod_revision);
    const size = (value: string) =>
      Buffer.byteLength(value) + 2 * Buffer.byteLength(prefix + JSON.parse(value).key);
    const ackBytes = inAck.reduce((n, r) => n + size(r.value), 0);
    expect(inAck.length).toBeGreaterThan(0);
    expect(ackBytes).toBeLessThanOrEqual(ACK_BYTES);
  });

  it('a key named twice in a chunk is stored once, the second agrees', async () => {
    const keys = await claimed('twice');
    const records = [product('twice/a', 1), product('twice/b', 2), product('twice/a', 1)];
    expect(await storeAndAck(ctx(), records, emptyTally(), keys)).toBe(true);
    const stored = await results('twice');
    expect(stored.map((r) => r.version)).toEqual(['1', '1']);
    const tally = JSON.parse((await get(keys.tallyKey))!.value.toString());
    expect(tally).toMatchObject({ stored: 2, skipped: 1, conflicts: 0 });
  });
});
