/**
 * A submission's chunk transaction that writes nothing because a chunk or tally of it exists: a
 * chunk holding exactly our ops, or whose tally exists, is ours (a retried try that committed);
 * the others of that transaction are put again; a chunk holding other ops (another submission of
 * the job wrote it) ends the submission. Before, such a transaction was taken as written and its
 * chunks were silently missing. Real etcd, no worker.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { QueueError } from '../../src/results/queue/queue-error.js';
import { chunkName, jobQueuePrefix, queueKey } from '../../src/results/queue/queue-keys.js';
import { submitJob } from '../../src/results/queue/submit.js';
import { uniqueNamespace } from '../support/namespace.js';

const etcd = createEtcdClient({ endpoints: inject('etcdEndpoints') });
const namespace = uniqueNamespace('chunk-collision');
const host = { etcd, namespace, logger: silentLogger() };
const ops = (n: number, b: number) =>
  Array.from({ length: n }, (_, i) => ({ method: 'Arith.Add', params: [i, b] }));

describe('a chunk transaction that wrote nothing', () => {
  afterAll(async () => {
    await etcd.delete().prefix(`/${namespace}/`).exec();
    etcd.close();
  });

  it('puts again the chunks that are neither there nor acked', async () => {
    // The second transaction holds chunks 1 and 2; chunk 1's tally says it was put and acked.
    await etcd.put(queueKey(namespace, 'acked', 't', chunkName(1, 10))).value('{"stored":10}');
    await submitJob(host, ops(30, 1), { jobId: 'acked', chunkOps: 10 });
    const prefix = `${jobQueuePrefix(namespace, 'acked')}c/`;
    const keys = await etcd.getAll().prefix(prefix).keys();
    expect(keys.map((k) => k.slice(prefix.length))).toEqual([chunkName(0, 10), chunkName(2, 10)]);
  });

  it('ends the submission when a chunk holds ops another submission wrote', async () => {
    const other = queueKey(namespace, 'taken', 'c', chunkName(0, 10));
    await etcd.put(other).value('{"method":"Arith.Add","params":[0,0]}');
    const submitted = submitJob(host, ops(30, 2), { jobId: 'taken', chunkOps: 10 });
    const error = await submitted.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QueueError);
    expect((error as QueueError).code).toBe('SUBMIT_FAILED');
    expect(String((error as Error).cause ?? (error as Error).message)).toMatch(/holds other ops/);
  });
});
