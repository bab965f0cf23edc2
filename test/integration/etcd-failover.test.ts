/**
 * etcd-failover: a 3-member etcd loses its leader in the middle of a 50,000-op bulk job. A write to
 * a follower whose leader died gets no answer; with a short deadline per try the client retries it
 * on another member at once instead of waiting out the whole etcd call deadline. The longest gap
 * between two stored groups is printed, with how long etcd took to elect a new leader: no write
 * commits without a leader, so that election is the floor of the stall. With etcd's default timing
 * (election timeout 1000 ms, randomized by raft over 1–2 s) it alone can pass 2 s; the second
 * kill runs the members with a 500 ms election timeout (heartbeat 50 ms), a setting for a LAN.
 * Every result reported stored must be present once.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { startEtcdCluster } from '../support/etcd.js';
import { uniqueNamespace } from '../support/namespace.js';
import { startNode } from '../support/process.js';
import { storedVersions } from '../support/stored-versions.js';

const fx = new ClusterFixture(inject('etcdEndpoints')); // its admin client is unused: the cluster below is deleted whole
afterAll(() => fx.close());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the etcd leader fails during a 50,000-op job', () => {
  // kill: its connections reset at once. freeze (SIGSTOP for 6 s): its connections stay open and
  // silent, so only a deadline per try moves a call on to the new leader.
  it.each([
    { how: 'kill', electionMs: undefined },
    { how: 'kill', electionMs: 500 },
    { how: 'freeze', electionMs: undefined },
  ] as const)(
    '$how (election timeout $electionMs ms, undefined: etcd default): results stall only briefly, every reported result is stored once',
    async ({ how, electionMs }) => {
      const etcd = await startEtcdCluster(3, electionMs ? { electionMs } : undefined);
      fx.cleanups.push(() => etcd.stop());
      if (how === 'freeze' && !etcd.members[0]?.pause) return; // containers cannot be frozen from here
      const ns = uniqueNamespace('failover');
      const ids = ['fo-a', 'fo-b', 'fo-c'];
      await Promise.all(ids.map((id) => startNode({ id, etcd: etcd.endpoints, namespace: ns })));
      const cluster = await fx.open(ns, {}, etcd.endpoints);
      await cluster.ready({ nodes: ids.length, timeoutMs: 10_000 });

      const n = 50_000;
      const ops = Array.from({ length: n }, (_, i) => ({ method: 'Arith.Multiply', params: { A: i, B: 3 } }));
      const reported = new Set<string>();
      let last = 0;
      let killedAt = 0;
      let gap = { ms: 0, at: 0 };
      // Progress counts groups found stored too: a hedged or retried write whose first try landed
      // reports its keys as skipped (agrees), not stored, though they were stored by this job.
      let settled = { done: 0, at: 0 };
      let still = { ms: 0, at: 0 };
      let newLeaderAt = 0;
      let outage: Promise<string> | undefined;
      const summary = await cluster.map(ops, {
        jobId: 'failover-job',
        onStored: (keys) => {
          const now = Date.now();
          if (last && now - last > gap.ms) gap = { ms: now - last, at: now };
          last = now;
          for (const k of keys) reported.add(k);
        },
        onProgress: (p) => {
          const now = Date.now();
          if (p.done > settled.done) {
            if (settled.at && now - settled.at > still.ms) still = { ms: now - settled.at, at: now };
            settled = { done: p.done, at: now };
          }
          if (outage || p.done < n * 0.2) return;
          outage = (async () => {
            const leader = etcd.member(await etcd.leader());
            killedAt = Date.now();
            if (how === 'freeze') {
              leader.pause?.();
              await sleep(6_000);
              leader.resume?.();
              return leader.name;
            }
            await leader.kill();
            const newLeader = await etcd.leader();
            newLeaderAt = Date.now();
            console.log(`[failover] new leader ${newLeader} ${newLeaderAt - killedAt} ms after the kill`);
            await leader.start();
            return leader.name;
          })();
        },
        progressIntervalMs: 50,
      });
      const killed = await outage;
      const load = (await import('node:os')).loadavg().map((l) => l.toFixed(1));
      console.log(
        `[failover] ${how} leader ${killed} (election timeout ${electionMs ?? 'default'}); longest gap between stored groups ${gap.ms} ms ` +
          `(ending ${gap.at - killedAt} ms after the ${how}` +
          (newLeaderAt ? `, ${gap.at - newLeaderAt} ms after the new leader was seen); ` : '); ') +
          `longest time without progress (stored or found stored, 50 ms samples) ${still.ms} ms ` +
          `(ending ${still.at - killedAt} ms after the ${how}); load ${load.join(' ')}; ` +
          JSON.stringify({ ...summary, issues: summary.issues.length }),
      );
      expect(killed).toBeDefined();
      expect(summary).toMatchObject({ status: 'done', total: n, failed: 0, conflicts: 0 });
      expect(summary.stored + summary.skipped).toBe(n);
      expect(reported.size).toBe(summary.stored);

      const reader = createEtcdClient({ endpoints: etcd.endpoints });
      fx.cleanups.push(() => reader.close());
      const stored = await storedVersions(reader, ns);
      expect(stored.size).toBe(n);
      expect([...stored.values()].filter((v) => v !== '1')).toEqual([]);
      expect([...reported].filter((k) => !stored.has(k))).toEqual([]);
    },
    240_000,
  );
});
