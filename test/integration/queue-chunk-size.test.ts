/**
 * The default chunk size of a queued job: 1,000 ops per chunk (each chunk costs a claim, an ack and
 * a watch event to every worker whatever its size; in the queue bench 250 ran at about 0.7× the
 * results/s of 1,000), and the first chunks go in small transactions so that workers can start
 * early. Real etcd, no worker: the chunk keys say how many ops each holds, their create revisions
 * which transaction put them.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { jobQueuePrefix } from '../../src/results/queue/queue-keys.js';
import { submitJob } from '../../src/results/queue/submit.js';
import { prefixEnd } from '../../src/results/range-pages.js';
import { uniqueNamespace } from '../support/namespace.js';

const etcd = createEtcdClient({ endpoints: inject('etcdEndpoints') });
const namespace = uniqueNamespace('chunk-size');

describe('a queued job without chunkOps', () => {
  afterAll(async () => {
    await etcd.delete().prefix(`/${namespace}/`).exec();
    etcd.close();
  });

  it('goes in chunks of 1,000 ops, the last one holding the rest', async () => {
    const ops = Array.from({ length: 2_500 }, (_, i) => ({ method: 'Arith.Add', params: [i, 1] }));
    await submitJob({ etcd, namespace, logger: silentLogger() }, ops, { jobId: 'sized' });
    const prefix = `${jobQueuePrefix(namespace, 'sized')}c/`;
    const keys = await etcd.getAll().prefix(prefix).keys();
    expect(keys.map((k) => k.slice(prefix.length))).toEqual([
      '0000000000-1000',
      '0000000001-1000',
      '0000000002-500',
    ]);
  });

  it('puts one chunk in the first transaction, then twice as many in each next', async () => {
    const ops = Array.from({ length: 100 }, (_, i) => ({ method: 'Arith.Add', params: [i, 2] }));
    await submitJob({ etcd, namespace, logger: silentLogger() }, ops, { jobId: 'ramp', chunkOps: 10 });
    const prefix = `${jobQueuePrefix(namespace, 'ramp')}c/`;
    const res = await etcd.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix) });
    const perTxn = new Map<string, number>();
    for (const kv of res.kvs) perTxn.set(kv.create_revision, (perTxn.get(kv.create_revision) ?? 0) + 1);
    expect(res.kvs).toHaveLength(10);
    expect([...perTxn.values()]).toEqual([1, 2, 4, 3]);
  });
});
