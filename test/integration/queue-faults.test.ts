/**
 * queue-faults: a queued job on a 3-member etcd whose leader is killed mid-job (and restarted):
 * the job completes and every result is stored once, with no queue key left. And the class of bug
 * that once hung that job: a claim under a worker's live lease that no slot of the worker works
 * (a claim that committed though the worker never saw it: etcd3 retried a try that timed out when
 * the leader died, and the retry found the claim taken) is adopted or released, never held forever.
 */
import type { Etcd3 } from 'etcd3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { BulkOp } from '../../src/index.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { startEtcdCluster } from '../support/etcd.js';
import { type NodeProcess, startNode } from '../support/process.js';

const fx = new ClusterFixture(inject('etcdEndpoints'));
afterAll(() => fx.close());

function* ops(n: number): Generator<BulkOp> {
  for (let i = 0; i < n; i++) yield { method: 'Arith.Add', params: { A: i, B: i } };
}

/** withBound resolves with `p`, or fails the test with `describe()` once `ms` pass first. */
async function withBound<T>(p: Promise<T>, ms: number, describe: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), ms);
  });
  const got = await Promise.race([p, hung]);
  clearTimeout(timer);
  if (got === 'hung') return expect.fail(`not done in ${ms / 1000} s; ${await describe()}`);
  return got;
}

/** leftovers describes the queue keys left under `ns` (with their leases and whether those live) and the nodes' warnings. */
async function leftovers(admin: Etcd3, ns: string, nodes: NodeProcess[]): Promise<string> {
  const prefix = `/${ns}/queue/`;
  const res = await admin.kv.range({ key: Buffer.from(prefix), range_end: Buffer.from(`/${ns}/queue0`) });
  const lines = await Promise.all(
    res.kvs.map(async (kv) => {
      const key = kv.key.toString().slice(prefix.length);
      if (kv.lease === '0') return key;
      const ttl = await admin.leaseClient.leaseTimeToLive({ ID: kv.lease }).then(
        (r) => r.TTL,
        () => '?',
      );
      return `${key} = ${kv.value.toString()} (lease ${kv.lease}, TTL ${ttl})`;
    }),
  );
  const warnings = nodes.flatMap((n) =>
    n
      .logs()
      .filter((l) => /"level":(40|50)/.test(l))
      .slice(-10),
  );
  return `queue keys left:\n${lines.join('\n')}\nnode warnings:\n${warnings.join('\n')}`;
}

describe('the etcd leader dies during a queued job', () => {
  it('3 members, leader killed and restarted: the job completes, every result stored once', async () => {
    const etcd = await startEtcdCluster(3);
    fx.cleanups.push(() => etcd.stop());
    const admin = createEtcdClient({ endpoints: etcd.endpoints });
    fx.cleanups.push(() => admin.close());
    const ns = fx.namespace('qleader');
    fx.cleanups.push(() => admin.delete().prefix(`/${ns}/`).exec());
    const nodes = await Promise.all(
      ['l1', 'l2', 'l3'].map((id) =>
        startNode({ id: `${id}-${process.pid}`, etcd: etcd.endpoints, namespace: ns }),
      ),
    );
    const cluster = await fx.open(ns, {}, etcd.endpoints);
    const n = 20_000;
    const job = await cluster.submit(ops(n), { jobId: 'leader', chunkOps: 128 });
    let outage: Promise<string> | undefined;
    job.on('progress', (p) => {
      if (outage || p.done === 0) return;
      outage = (async () => {
        const leader = etcd.member(await etcd.leader());
        await leader.kill();
        await leader.start();
        return leader.name;
      })();
    });
    // A hang (a chunk nobody works) fails with what is left, well before the test's own timeout.
    const final = await withBound(job.done(), 120_000, () => leftovers(admin, ns, nodes));
    const killed = await outage;
    expect(killed).toBeDefined();
    expect(final.status).toBe('done');
    expect(final.stored + final.skipped).toBe(n);
    const results = await admin.kv.range({
      key: Buffer.from(`/${ns}/results/`),
      range_end: Buffer.from(`/${ns}/results0`),
      keys_only: true,
    });
    expect(results.kvs.length).toBe(n);
    expect(results.kvs.filter((kv) => kv.version !== '1')).toEqual([]);
    const queue = await admin.getAll().prefix(`/${ns}/queue/`).keys();
    expect(queue).toEqual([]);
    console.log(
      `[queue-leader] killed ${killed}: ${final.stored} stored, ${final.skipped} read back as stored`,
    );
  }, 180_000);
});

describe("a claim under a worker's live lease that none of its slots works", () => {
  it('is adopted when the worker meets it, released otherwise; the job completes', async () => {
    const admin = fx.admin;
    const ns = fx.namespace('qstray');
    const node = await startNode({ id: `s1-${process.pid}`, etcd: fx.endpoints, namespace: ns, ttl: 4 });
    const cluster = await fx.open(ns);
    // Learn the worker's lease and claim token from the claim of a first, one-chunk job.
    const watcher = await admin.watch().prefix(`/${ns}/queue/`).create();
    const claimSeen = new Promise<{ lease: string; token: string }>((resolve) => {
      watcher.on('put', (kv) => {
        if (kv.key.toString().includes('/w/')) resolve({ lease: kv.lease, token: kv.value.toString() });
      });
    });
    const first = await cluster.submit(ops(10), { jobId: 'first' });
    const { lease, token } = await withBound(claimSeen, 30_000, async () => 'no claim seen');
    await watcher.cancel();
    await withBound(first.done(), 30_000, () => leftovers(admin, ns, [node]));
    // What a claim transaction leaves when it commits but its caller sees an error: the worker's own
    // claim under its live lease, of a chunk it will meet (job J's first chunk) and of one it never will.
    const mine = `/${ns}/queue/J/w/0000000000-64`;
    const ghost = `/${ns}/queue/ghost/w/0000000000-8`;
    for (const key of [mine, ghost]) await admin.put(key).value(token).lease(lease).exec();
    const job = await cluster.submit(ops(192), { jobId: 'J', chunkOps: 64 });
    const final = await withBound(job.done(), 60_000, () => leftovers(admin, ns, [node]));
    expect(final.status).toBe('done');
    expect(final.stored + final.skipped).toBe(192);
    const deadline = Date.now() + 60_000;
    while ((await admin.get(ghost).string()) !== null) {
      if (Date.now() > deadline) expect.fail(`stray claim kept; ${await leftovers(admin, ns, [node])}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // Released by the worker, not lapsed with its lease: the lease still lives.
    const ttl = await admin.leaseClient.leaseTimeToLive({ ID: lease });
    expect(Number(ttl.TTL)).toBeGreaterThan(0);
    expect(await admin.getAll().prefix(`/${ns}/queue/`).keys()).toEqual([]);
  }, 180_000);
});
