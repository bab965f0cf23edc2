/**
 * QueueIndex.next on a real etcd: a pick is always one of the 16 oldest unclaimed chunks (oldest
 * first across jobs, within that window), not always the very oldest (so that workers reading the
 * same queue seldom race for one claim), and never a chunk that is held or claimed.
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
});
