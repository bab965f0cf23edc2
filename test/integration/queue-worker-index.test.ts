/**
 * QueueIndex.next on a real etcd: a pick is always one of the 16 oldest unclaimed chunks (oldest
 * first across jobs, within that window), not always the very oldest (so that workers reading the
 * same queue seldom race for one claim), and never a chunk that is held or claimed; a claim found
 * by a failed claim transaction (noteClaimed) counts before the watch delivers it, a stale one not.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { QueueIndex } from '../../src/node/queue-worker-index.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { chunkName, queueKey } from '../../src/results/queue/queue-keys.js';
import { uniqueNamespace } from '../support/namespace.js';

const endpoints = inject('etcdEndpoints');
const namespace = uniqueNamespace('worker-index');
const etcd = createEtcdClient({ endpoints });

afterAll(async () => {
  await etcd.delete().prefix(`/${namespace}/`).exec();
  etcd.close();
});

describe('QueueIndex.next', () => {
  it('picks among the 16 oldest unclaimed chunks, not always the oldest, never a held or claimed one', async () => {
    // Job "b" is submitted first: its chunks are the oldest, though "a" sorts first by key.
    const names = Array.from({ length: 40 }, (_, i) => chunkName(i, 10));
    for (const name of names) await etcd.put(queueKey(namespace, 'b', 'c', name)).value('{}');
    for (const name of names) await etcd.put(queueKey(namespace, 'a', 'c', name)).value('{}');
    await etcd.put(queueKey(namespace, 'b', 'w', names[0]!)).value('other/1');
    const index = new QueueIndex(etcd, namespace, silentLogger(), () => undefined);
    await index.start();
    try {
      const window = new Set(names.slice(1, 17));
      const seen = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const c = index.next()!;
        expect(c.jobId).toBe('b');
        expect(window.has(c.name)).toBe(true);
        seen.add(c.name);
        index.release(c);
      }
      expect(seen.size).toBeGreaterThan(1);
      // Held chunks are skipped: the k-th pick in a row is among the 16 oldest not held, all of b.
      const held = Array.from({ length: 16 }, () => index.next()!);
      expect(new Set(held.map((c) => `${c.jobId}/${c.name}`)).size).toBe(16);
      expect(held.every((c) => c.jobId === 'b' && names.slice(1, 32).includes(c.name))).toBe(true);
    } finally {
      await index.close();
    }
  });

  it('noteClaimed keeps a chunk out of next() until its claim is deleted; a note older than the last claim event is ignored', async () => {
    const ns = `${namespace}-note`;
    const chunkKey = queueKey(ns, 'j', 'c', chunkName(0, 10));
    const claimKey = queueKey(ns, 'j', 'w', chunkName(0, 10));
    await etcd.put(chunkKey).value('{}');
    const index = new QueueIndex(etcd, ns, silentLogger(), () => undefined);
    await index.start();
    // seen waits until the index has applied the claim event of revision `rev`.
    const seen = async (chunk: { claimRevision: bigint }, rev: string) => {
      for (let i = 0; i < 500 && chunk.claimRevision < BigInt(rev); i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(chunk.claimRevision).toBe(BigInt(rev));
    };
    try {
      const c = index.next()!;
      index.release(c);
      // Another worker's claim, then its release: both seen by the watch.
      const put = await etcd.put(claimKey).value('other/1').exec();
      const released = await etcd.delete().key(claimKey).exec();
      await seen(c, released.header.revision);
      index.noteClaimed(c, BigInt(put.header.revision));
      expect(index.next()).toBe(c);
      index.release(c);
      // A claim put now, noted before the watch could deliver it: next() skips the chunk at once.
      const again = await etcd.put(claimKey).value('other/2').exec();
      index.noteClaimed(c, BigInt(again.header.revision));
      expect(index.next()).toBeUndefined();
      const deleted = await etcd.delete().key(claimKey).exec();
      await seen(c, deleted.header.revision);
      expect(index.next()).toBe(c);
    } finally {
      await index.close();
      await etcd.delete().prefix(`/${ns}/`).exec();
    }
  });
});
