/**
 * A submission whose job-record write was applied by etcd but not answered (a per-try deadline,
 * or a hedge on another member, then another try) still submits: the later try finds the key
 * holding exactly the record it wrote, and that is not another job. Real etcd; the lost answer is
 * made by sending the first transaction twice and keeping only the second answer.
 */
import type { Etcd3 } from 'etcd3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { QueueError } from '../../src/results/queue/queue-error.js';
import { submitJob } from '../../src/results/queue/submit.js';
import { uniqueNamespace } from '../support/namespace.js';

const etcd = createEtcdClient({ endpoints: inject('etcdEndpoints') });
const namespace = uniqueNamespace('replay');

/** replayingFirstTxn is `etcd` whose first kv.txn is applied twice; the caller gets the second answer. */
function replayingFirstTxn(client: Etcd3): Etcd3 {
  let replayed = false;
  const kv = new Proxy(client.kv, {
    get(target, prop, receiver) {
      if (prop !== 'txn') return Reflect.get(target, prop, receiver);
      return async (request: Parameters<typeof target.txn>[0]) => {
        if (replayed) return target.txn(request);
        replayed = true;
        await target.txn(request); // applied; its answer is lost
        return target.txn(request);
      };
    },
  });
  return new Proxy(client, { get: (target, prop) => (prop === 'kv' ? kv : Reflect.get(target, prop)) });
}

describe('submitting a queued job when the job-record write is applied twice', () => {
  afterAll(async () => {
    await etcd.delete().prefix(`/${namespace}/`).exec();
    etcd.close();
  });

  it('submits (the key holds our own record), and a second submission of the id is still refused', async () => {
    const host = { etcd: replayingFirstTxn(etcd), namespace, logger: silentLogger() };
    const ops = [{ key: 'replay-1', method: 'Arith.Add', params: [1, 2] }];
    await expect(submitJob(host, ops, { jobId: 'replayed' })).resolves.toBe('replayed');
    const again = await submitJob({ etcd, namespace, logger: silentLogger() }, ops, {
      jobId: 'replayed',
    }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(QueueError);
    expect(again).toMatchObject({ code: 'JOB_EXISTS' });
  });
});
