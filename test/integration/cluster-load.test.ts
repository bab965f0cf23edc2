/**
 * cluster-load: the SDK as membership and load grow: a node joining under traffic, 300 registered
 * nodes (synthetic keys pointing at 3 real nodes), and 100,000 concurrent calls held back by
 * `maxInflight`. Real etcd, real node processes; figures are printed, not asserted.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  type Cluster,
  type ConnectOptions,
  type NodeChange,
  type NodeInfo,
  parseNodeInfo,
} from '../../src/index.js';
import { nodeKey } from '../../src/registry/keys.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { type NodeProcess, startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
const { admin } = fx;

afterAll(() => fx.close());

const namespace = (name: string): string => fx.namespace(name);

const open = (ns: string, options: Partial<ConnectOptions> = {}): Promise<Cluster> => fx.open(ns, options);

const startThree = (ns: string, prefix: string): Promise<NodeProcess[]> =>
  Promise.all(
    ['a', 'b', 'c'].map((x) => startNode({ id: `${prefix}-${x}`, etcd: endpoints, namespace: ns })),
  );

const logTime = (line: string): number => Date.parse((JSON.parse(line) as { time: string }).time);
const callsOn = (c: Cluster, id: string): number => c.stats().nodes.find((n) => n.id === id)?.calls ?? 0;
const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20)}MB`;

describe('a node that joins later', () => {
  it('is seen and then served by the balancer, under traffic', async () => {
    const ns = namespace('cluster-join');
    await startThree(ns, 'jn');
    const cluster = await open(ns);
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
    let visibleAt = 0;
    cluster.on('nodes', (c: NodeChange) => {
      if (c.type === 'added' && c.node.id === 'jn-new') visibleAt = Date.now();
    });
    // One sequential caller: when the new node's count moves, the call that just answered was its.
    let stop = false;
    let firstCallAt = 0;
    const wrong: unknown[] = [];
    const caller = (async () => {
      for (let i = 0; !stop && i < 1_000_000; i++) {
        const r = await cluster.call('Arith.Multiply', { A: i, B: 3 });
        if (r !== i * 3) wrong.push(r);
        if (!firstCallAt && callsOn(cluster, 'jn-new') > 0) firstCallAt = Date.now();
      }
    })();
    try {
      const node = await startNode({ id: 'jn-new', etcd: endpoints, namespace: ns });
      const registeredAt = logTime(await node.waitFor('registered'));
      for (let i = 0; i < 500 && !(visibleAt && firstCallAt); i++)
        await new Promise((r) => setTimeout(r, 10));
      console.log(`[join] visible=${visibleAt - registeredAt}ms firstCall=${firstCallAt - registeredAt}ms`);
      expect(visibleAt).toBeGreaterThan(0);
      expect(firstCallAt).toBeGreaterThanOrEqual(visibleAt);
      expect(cluster.stats().nodes.find((n) => n.id === 'jn-new')?.failures).toBe(0);
    } finally {
      stop = true;
      await caller;
    }
    expect(wrong).toEqual([]);
    expect(cluster.stats().failures).toBe(0);
  });
});

describe('many nodes and many calls', () => {
  it('300 synthetic nodes on 3 real ones: ready({ nodes: 303 }), 30,000 calls spread over ≥ 250 ids', async () => {
    const ns = namespace('cluster-300');
    const real = await startThree(ns, 'real');
    const cluster = await open(ns);
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
    const ids = Array.from({ length: 300 }, (_, i) => `syn-${String(i).padStart(3, '0')}`);
    const values = ids.map((id, i): NodeInfo => {
      const target = real[i % 3]!;
      return {
        v: 1,
        id,
        endpoints: { http: target.http, tcp: `127.0.0.1:${target.tcpPort}` },
        methods: ['Arith.Multiply'],
        weight: 1,
        version: '0.0.0-synthetic',
        startedAt: new Date().toISOString(),
        pid: target.pid,
        hostname: 'synthetic',
      };
    });
    for (const v of values) expect(parseNodeInfo(JSON.stringify(v))).toEqual(v);
    const listed = Date.now();
    await Promise.all(values.map((v) => admin.put(nodeKey(ns, v.id)).value(JSON.stringify(v)).exec()));
    await cluster.ready({ nodes: 303, timeoutMs: 15_000 });
    const readyMs = Date.now() - listed;
    expect(cluster.nodes()).toHaveLength(303);

    const total = 30_000;
    const workers = 300;
    const wrong: string[] = [];
    const failures: unknown[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let k = w; k < total; k += workers) {
          try {
            const r = await cluster.call('Arith.Multiply', { A: k, B: 7 });
            if (r !== k * 7) wrong.push(`${k}*7=${String(r)}`);
          } catch (error) {
            failures.push(error);
          }
        }
      }),
    );
    const ms = performance.now() - started;
    const stats = cluster.stats();
    const used = stats.nodes.filter((n) => n.calls > 0 && n.id.startsWith('syn-')).length;
    console.log(
      `[300-nodes] ready(303) ${readyMs}ms after the puts; ${total} calls in ${Math.round(ms)}ms ` +
        `(${Math.round((total * 1000) / ms)}/s) on ${used} synthetic ids; retries=${stats.retries}`,
    );
    expect(failures.slice(0, 5)).toEqual([]);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(used).toBeGreaterThanOrEqual(250);
  });

  it('100,000 concurrent calls with maxInflight 2048 all complete correctly', async () => {
    const ns = namespace('cluster-bp');
    await startThree(ns, 'bp');
    const cluster = await open(ns, { maxInflight: 2048 });
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
    const total = 100_000;
    const big = 2n ** 53n;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let inflightPeak = 0;
    const poll = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      inflightPeak = Math.max(inflightPeak, cluster.stats().inflight);
    }, 20);
    const started = performance.now();
    let outcomes: boolean[];
    let atOnce: { inflight: number; waiting: number };
    try {
      const calls = Array.from({ length: total }, (_, i) =>
        i % 10 === 0
          ? cluster.multiply(big + BigInt(i), 3n).then((r) => r === (big + BigInt(i)) * 3n)
          : cluster.call('Arith.Multiply', { A: i, B: 3 }).then((r) => r === i * 3),
      );
      const s = cluster.stats();
      atOnce = { inflight: s.inflight, waiting: s.waiting };
      outcomes = await Promise.all(calls);
    } finally {
      clearInterval(poll);
    }
    const ms = performance.now() - started;
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const end = cluster.stats();
    console.log(
      `[backpressure] ${total} calls in ${Math.round(ms)}ms (${Math.round((total * 1000) / ms)}/s); ` +
        `client rss before=${mb(rssBefore)} peak=${mb(rssPeak)}; inflight peak=${inflightPeak} ` +
        `waiting at start=${atOnce.waiting}; retries=${end.retries}`,
    );
    expect(outcomes.filter((ok) => !ok)).toEqual([]);
    expect(atOnce).toEqual({ inflight: 2048, waiting: total - 2048 });
    expect(inflightPeak).toBeLessThanOrEqual(2048);
    expect(end).toMatchObject({ inflight: 0, waiting: 0, failures: 0, calls: total });
  });
});
