/**
 * The put-if-absent path on an etcd started with a lower `--max-txn-ops` (16, 32, 100, 127): putIfAbsent
 * (default 64 keys and 125), storeMany and a queue worker's storeAndAck still store every result
 * exactly once, at version 1, and report keys stored already with their values; a submission's
 * chunks all go in, in transactions that fit.
 */
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { storeAndAck } from '../../src/node/queue-worker-ack.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { type PutIfAbsentItem, putIfAbsent } from '../../src/results/put-if-absent.js';
import { jobQueuePrefix, queueKey } from '../../src/results/queue/queue-keys.js';
import { submitJob } from '../../src/results/queue/submit.js';
import { emptyTally } from '../../src/results/queue/tally.js';
import { prefixEnd } from '../../src/results/range-pages.js';
import { makeRecord, serializeResultRecord } from '../../src/results/result-record.js';
import { storeMany } from '../../src/results/store-many.js';
import { findEtcdBinary, startBinaryMembers } from '../support/etcd-binary.js';
import { type EtcdMember, memberSpecs } from '../support/etcd-common.js';
import { checkOutcomes, seed } from '../support/put-if-absent-check.js';

const bin = findEtcdBinary();

const items = (dir: string, n: number): PutIfAbsentItem[] =>
  Array.from({ length: n }, (_, i) => ({ key: `/low/${dir}/${String(i).padStart(4, '0')}`, value: `v${i}` }));

const product = (key: string, a: number) =>
  makeRecord({
    key,
    method: 'Arith.Multiply',
    params: { A: a, B: 3 },
    answer: { result: a * 3 },
    nodes: ['w1'],
    verify: 'one',
  });

for (const maxTxnOps of [16, 32, 100, 127]) {
  describe.skipIf(!bin)(`etcd with --max-txn-ops=${maxTxnOps}`, () => {
    let member: EtcdMember;
    let etcd: Etcd3;

    beforeAll(async () => {
      const specs = (await memberSpecs(1)).map((s) => ({ ...s, extraArgs: [`--max-txn-ops=${maxTxnOps}`] }));
      [member] = (await startBinaryMembers(bin!, specs)) as [EtcdMember];
      etcd = createEtcdClient({ endpoints: [member.clientUrl] });
    });
    afterAll(async () => {
      etcd?.close();
      await member?.remove();
    });

    it('putIfAbsent stores each fresh key once and reports stored ones (64 and 125 keys per txn)', async () => {
      for (const per of [64, 125]) {
        const batch = items(`p${per}`, 1_100);
        const seeded = await seed(
          etcd,
          batch.filter((_, i) => i % 9 === 4),
        );
        await checkOutcomes(etcd, batch, await putIfAbsent(etcd, batch, per), seeded);
        const now = new Map([...batch.map((i) => [i.key, i.value] as const), ...seeded]);
        await checkOutcomes(etcd, batch, await putIfAbsent(etcd, batch, per), now);
      }
    });

    it('storeMany stores records, a repeated key agreeing with the first', async () => {
      const records = Array.from({ length: 300 }, (_, i) => product(`many/${i % 250}`, i % 250));
      const outcomes = await storeMany(etcd, '/low/r/', records);
      expect(outcomes.map((o) => o.status)).toEqual(records.map((_, i) => (i < 250 ? 'stored' : 'agrees')));
      const res = await etcd.getAll().prefix('/low/r/many/').exec();
      expect(res.kvs).toHaveLength(250);
      expect(res.kvs.every((kv) => kv.version === '1')).toBe(true);
    });

    it('a queue worker stores and acks a chunk of 1,000, some results stored already, each once', async () => {
      const job = `job${maxTxnOps}`;
      const keys = {
        chunkKey: queueKey('low', job, 'c', '0000000000-1000'),
        claimKey: queueKey('low', job, 'w', '0000000000-1000'),
        tallyKey: queueKey('low', job, 't', '0000000000-1000'),
        token: 'w1/1',
      };
      await etcd.put(keys.chunkKey).value('{}');
      await etcd.put(keys.claimKey).value(keys.token);
      const records = Array.from({ length: 1_000 }, (_, i) => product(`${job}/${i}`, i));
      for (const i of [0, 500, 999])
        await etcd.put(`/low/q/${records[i]!.key}`).value(serializeResultRecord(records[i]!));
      const ctx = { etcd, prefix: '/low/q/', logger: silentLogger(), narrow: false };
      expect(await storeAndAck(ctx, records, emptyTally(), keys)).toBe(true);
      expect(ctx.narrow).toBe(true);
      const res = await etcd.getAll().prefix(`/low/q/${job}/`).exec();
      expect(res.kvs).toHaveLength(1_000);
      expect(res.kvs.every((kv) => kv.version === '1')).toBe(true);
      const tally = JSON.parse((await etcd.get(keys.tallyKey).exec()).kvs[0]!.value.toString());
      expect(tally).toMatchObject({ stored: 997, skipped: 3, conflicts: 0 });
      expect((await etcd.get(keys.chunkKey).exec()).kvs).toHaveLength(0);
    });

    it('a submission of 200 chunks goes in whole, in transactions that fit (two compares a chunk)', async () => {
      const jobId = `low-submit-${maxTxnOps}`;
      const ops = Array.from({ length: 2_000 }, (_, i) => ({ method: 'Arith.Add', params: [i, maxTxnOps] }));
      await submitJob({ etcd, namespace: 'low', logger: silentLogger() }, ops, { jobId, chunkOps: 10 });
      const prefix = `${jobQueuePrefix('low', jobId)}c/`;
      const res = await etcd.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix) });
      expect(res.kvs).toHaveLength(200);
      expect(res.kvs.every((kv) => kv.version === '1')).toBe(true);
      const perTxn = new Map<string, number>();
      for (const kv of res.kvs) perTxn.set(kv.create_revision, (perTxn.get(kv.create_revision) ?? 0) + 1);
      expect(Math.max(...perTxn.values()) * 2).toBeLessThanOrEqual(maxTxnOps);
    });
  });
}
