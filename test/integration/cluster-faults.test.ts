/**
 * cluster-faults: the SDK while nodes leave under load (SIGTERM, kill -9 with the key still
 * registered) and while its etcd is stopped and started again. Real etcd, real node processes.
 * The etcd restart uses its own etcd (a binary when there is one, else a container behind a proxy).
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Cluster, connect, type NodeStats, type Receipt, TransportError } from '../../src/index.js';
import { ClusterFixture, nextChange } from '../support/cluster-fixture.js';
import { uniqueNamespace } from '../support/namespace.js';
import { ownEtcd } from '../support/own-etcd.js';
import { type NodeProcess, startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
const { clusters, namespaces, cleanups } = fx;

afterAll(() => fx.close());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** threeNodes starts nodes `<prefix>-a/b/c` in a fresh namespace and a client that sees all three. */
async function threeNodes(prefix: string, ttl?: number, etcd = endpoints) {
  const ns = uniqueNamespace(`cluster-${prefix}`);
  namespaces.push(ns);
  const nodes = await Promise.all(
    ['a', 'b', 'c'].map((x) => startNode({ id: `${prefix}-${x}`, etcd, namespace: ns, ttl: ttl ?? 10 })),
  );
  const cluster = await connect({ etcd, namespace: ns });
  clusters.push(cluster);
  await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
  return { ns, nodes, cluster };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not within ${timeoutMs} ms`);
    await sleep(10);
  }
  return Date.now() - started;
}

/** Load is `callers` concurrent loops of checked multiplications until `stop()`. */
function load(cluster: Cluster, callers: number) {
  let stopped = false;
  const failures: unknown[] = [];
  const wrong: string[] = [];
  let done = 0;
  const loops = Array.from({ length: callers }, async (_, c) => {
    for (let i = 0; !stopped; i++) {
      // Small, negative and beyond-2^53 operands, so products travel as numbers and as strings.
      const a = i % 7 === 0 ? -(2n ** 60n) - BigInt(i) : BigInt(c * 7919 + i);
      const b = i % 5 === 0 ? 2n ** 53n + BigInt(i) : BigInt((i % 1000) - 500);
      try {
        const r = await cluster.multiply(a, b);
        if (r !== a * b) wrong.push(`${a}*${b}=${r}`);
        done++;
      } catch (error) {
        failures.push(error);
      }
    }
  });
  return {
    failures,
    wrong,
    done: () => done,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

const callsOf = (c: Cluster, id: string): number | undefined =>
  c.stats().nodes.find((n) => n.id === id)?.calls;

describe('nodes leaving under load', () => {
  it('SIGTERM of one of 3 nodes under 16 callers fails no call', async () => {
    const { nodes, cluster } = await threeNodes('lv');
    const victim = nodes[1]!;
    const traffic = load(cluster, 16);
    // lastPick: when the victim's client-side call count last moved (sampled every ms).
    let lastCount = -1;
    let lastPickAt = 0;
    const poll = setInterval(() => {
      const n = callsOf(cluster, victim.id);
      if (n !== undefined && n !== lastCount) [lastCount, lastPickAt] = [n, Date.now()];
    }, 1);
    try {
      await sleep(1_000);
      const removed = nextChange(cluster, 'removed', victim.id, 10_000);
      const termAt = Date.now();
      victim.child.kill('SIGTERM');
      const removedAt = await removed;
      await sleep(Math.max(0, 2_000 - (Date.now() - termAt)));
      await traffic.stop();
      console.log(
        `[leave] removed=${removedAt - termAt}ms lastPick=${lastPickAt - termAt}ms calls=${traffic.done()} ` +
          `retries=${cluster.stats().retries}`,
      );
    } finally {
      clearInterval(poll);
      await traffic.stop();
    }
    expect(traffic.failures).toEqual([]);
    expect(traffic.wrong).toEqual([]);
    expect(await victim.exited).toBe(0);
    expect(cluster.nodes().map((n) => n.id)).toEqual(['lv-a', 'lv-c']);
  });

  it('kill -9 of one of 3 nodes (key still registered) under 64 callers for 10 s: no failed or wrong call', async () => {
    const { nodes, cluster } = await threeNodes('k9', 10);
    const victim = nodes[0]!;
    const traffic = load(cluster, 64);
    const started = Date.now();
    let killedAt = 0;
    let lastSeenAt = 0;
    let victimStats: NodeStats | undefined; // its last figures before its lease expired, if it did
    const poll = setInterval(() => {
      const v = cluster.stats().nodes.find((n) => n.id === victim.id);
      if (v) [lastSeenAt, victimStats] = [Date.now(), v];
    }, 100);
    try {
      await sleep(1_500);
      killedAt = Date.now();
      await victim.stop('SIGKILL');
      await sleep(10_000 - (Date.now() - started));
    } finally {
      clearInterval(poll);
      await traffic.stop();
    }
    const secs = (Date.now() - started) / 1000;
    const s = cluster.stats();
    const others = s.nodes.filter((n) => n.id !== victim.id);
    const ejections = others.reduce((sum, n) => sum + n.ejections, victimStats?.ejections ?? 0);
    console.log(
      `[kill-9] calls=${traffic.done()} calls/s=${Math.round(traffic.done() / secs)} retries=${s.retries} ` +
        `ejections=${ejections} (dead node ${victimStats?.ejections}, ${victimStats?.failures} failed sends) failures=${traffic.failures.length} wrong=${traffic.wrong.length} ` +
        `registeredAfterKill=${lastSeenAt - killedAt}ms`,
    );
    expect(traffic.failures.slice(0, 5)).toEqual([]);
    expect(traffic.wrong.slice(0, 5)).toEqual([]);
    expect(traffic.done()).toBeGreaterThan(0);
    expect(lastSeenAt - killedAt).toBeGreaterThanOrEqual(5_000); // the dead node stayed registered
    expect(victimStats?.ejections).toBeGreaterThan(0);
  });

  it('all right after a kill -9 gives one receipt per registered node, the dead one a TransportError', async () => {
    const { nodes, cluster } = await threeNodes('ka', 10);
    await cluster.all('Arith.Multiply', { A: 1, B: 1 }); // warm keep-alive connections to every node
    await nodes[2]!.stop('SIGKILL');
    for (let round = 0; round < 5; round++) {
      const receipts: Receipt[] = await cluster.all('Arith.Multiply', { A: 6, B: 7 });
      expect(receipts.map((r) => [r.nodeId, r.ok])).toEqual([
        ['ka-a', true],
        ['ka-b', true],
        ['ka-c', false],
      ]);
      expect(receipts.slice(0, 2).map((r) => (r.ok ? r.result : r.error))).toEqual([42, 42]);
      const dead = receipts[2]!;
      expect(dead.ok ? undefined : dead.error).toBeInstanceOf(TransportError);
      expect(dead.ok ? undefined : dead.error).toMatchObject({ nodeId: 'ka-c', retryable: true });
    }
    expect(cluster.nodes().map((n) => n.id)).toEqual(['ka-a', 'ka-b', 'ka-c']); // lease not expired yet
  });
});

describe('etcd stopped and started again', () => {
  it('keeps calling the last-known nodes while etcd is down, and sees a node started after it is back', async () => {
    const own = await ownEtcd(cleanups);
    const { ns, cluster } = await threeNodes('ed', undefined, [own.url]);
    await until(() => cluster.stats().etcdConnected, 5_000, 'watch connected');
    expect(cluster.stats().stalenessMs).toBe(0);
    const downAt = Date.now();
    await own.down();
    const noticed = await until(() => !cluster.stats().etcdConnected, 10_000, 'etcd disconnect noticed');
    const before = cluster.stats().stalenessMs;
    for (let i = 0; i < 200; i++)
      expect(await cluster.multiply(BigInt(i), 2n ** 60n)).toBe(BigInt(i) * 2n ** 60n);
    const receipts = await cluster.all('Arith.Multiply', { A: 3, B: 4 });
    expect(receipts.map((r) => [r.nodeId, r.ok])).toEqual([
      ['ed-a', true],
      ['ed-b', true],
      ['ed-c', true],
    ]);
    await sleep(200);
    const after = cluster.stats();
    expect(after.etcdConnected).toBe(false);
    expect(after.stalenessMs).toBeGreaterThan(before);
    expect(after.stalenessMs).toBeGreaterThanOrEqual(200);
    expect(cluster.nodes().map((n) => n.id)).toEqual(['ed-a', 'ed-b', 'ed-c']);
    const upAt = Date.now();
    await own.up();
    const back = await until(() => cluster.stats().etcdConnected, 15_000, 'etcd reconnect');
    const late: NodeProcess = await startNode({ id: 'ed-late', etcd: [own.url], namespace: ns });
    await until(() => cluster.nodes().some((n) => n.id === 'ed-late'), 5_000, 'late node seen');
    const all = await cluster.all('Arith.Multiply', { A: 5, B: 6 });
    expect(all.find((r) => r.nodeId === 'ed-late')).toMatchObject({ ok: true, result: 30 });
    expect(late.http).toBe(cluster.nodes().find((n) => n.id === 'ed-late')?.endpoints.http);
    console.log(
      `[etcd-restart] ${own.how}: disconnect noticed ${noticed}ms after stop, staleness ${after.stalenessMs}ms ` +
        `while down ${upAt - downAt}ms, connected ${back}ms after start`,
    );
    expect(cluster.stats().stalenessMs).toBe(0);
  });
});
