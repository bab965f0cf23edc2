/**
 * cluster-backpressure: what a caller can program against when there is too much work. Through
 * `connect()` against real nodes: a call queued for a `maxInflight` slot leaves at once when its
 * signal aborts or its deadline (counted from the call) passes; past `maxQueued` calls fail fast
 * with OverloadedError; a closed client refuses with ClusterClosedError. And a node that answers
 * "overloaded" (-32003) or "shutting down" (-32002) — a small real TCP server registered in etcd —
 * has its calls retried on another node without being ejected.
 */
import net from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  ClusterClosedError,
  connect,
  DeadlineExceededError,
  type NodeInfo,
  OverloadedError,
  type PickerBuilder,
  RemoteShuttingDownError,
} from '../../src/index.js';
import { nodeKey } from '../../src/registry/keys.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
afterAll(() => fx.close());

/** settled resolves with a promise's outcome, tagged, so the test can see which came first. */
const settled = (p: Promise<unknown>): Promise<{ ok: boolean; value: unknown }> =>
  p.then(
    (value) => ({ ok: true, value }),
    (value: unknown) => ({ ok: false, value }),
  );

describe('the client queue (maxInflight, maxQueued)', () => {
  it('a queued call leaves at once on abort or deadline; past maxQueued, OverloadedError', async () => {
    const ns = fx.namespace('bp-queue');
    await startNode({ id: 'bq-a', etcd: endpoints, namespace: ns, args: ['--delay-ms', '1000'] });
    const cluster = await fx.open(ns, { maxInflight: 1, maxQueued: 1 });
    await cluster.ready({ nodes: 1, timeoutMs: 10_000 });

    let slowDone = false;
    const slow = cluster.call('Arith.Multiply', { A: 7, B: 8 }).finally(() => (slowDone = true));
    expect(cluster.stats()).toMatchObject({ inflight: 1, waiting: 0 });

    const ac = new AbortController();
    const aborted = settled(cluster.call('Arith.Multiply', { A: 1, B: 1 }, { signal: ac.signal }));
    expect(cluster.stats().waiting).toBe(1);
    const full = await settled(cluster.call('Arith.Multiply', { A: 2, B: 2 }));
    expect(full.value).toBeInstanceOf(OverloadedError);
    expect(full.value).toMatchObject({ code: -32003, nodeId: undefined, retryable: false });
    const reason = new Error('caller gave up');
    ac.abort(reason);
    expect(await aborted).toEqual({ ok: false, value: reason });
    expect(slowDone).toBe(false); // it left the queue; it did not wait for the slot
    expect(cluster.stats().waiting).toBe(0);

    // Its place is free again; a short deadline runs out in the queue, counted from the call.
    const late = await settled(cluster.call('Arith.Multiply', { A: 3, B: 3 }, { deadlineMs: 100 }));
    expect(late.value).toBeInstanceOf(DeadlineExceededError);
    expect(late.value).toMatchObject({ deadlineMs: 100, nodeId: undefined });
    expect(slowDone).toBe(false);

    const next = cluster.call('Arith.Multiply', { A: 4, B: 4 });
    expect(cluster.stats().waiting).toBe(1);
    expect(await slow).toBe(56);
    expect(await next).toBe(16);
    expect(cluster.stats()).toMatchObject({ inflight: 0, waiting: 0 });
  });

  it('counts the deadline from the call: time spent queued is not given back at the node', async () => {
    const ns = fx.namespace('bp-deadline');
    await startNode({ id: 'bd-a', etcd: endpoints, namespace: ns, args: ['--delay-ms', '1000'] });
    const cluster = await fx.open(ns, { maxInflight: 1 });
    await cluster.ready({ nodes: 1, timeoutMs: 10_000 });
    const first = cluster.call('Arith.Add', { A: 1, B: 2 });
    // Queued about 1 s behind `first`, then 1 s at the node: 1.5 s from the call is not enough,
    // though it would be if the deadline started when the slot freed.
    const second = settled(cluster.call('Arith.Add', { A: 3, B: 4 }, { deadlineMs: 1_500 }));
    expect(await first).toBe(3);
    const late = await second;
    expect(late.value).toBeInstanceOf(DeadlineExceededError);
    expect(late.value).toMatchObject({ deadlineMs: 1_500 });
  });

  it('connect() refuses bad bounds with a RangeError before opening anything', async () => {
    await expect(connect({ etcd: endpoints, maxQueued: -1 })).rejects.toThrow(/maxQueued must be/);
    await expect(connect({ etcd: endpoints, maxInflight: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it('close() refuses queued and later calls with ClusterClosedError', async () => {
    const ns = fx.namespace('bp-close');
    await startNode({ id: 'bc-a', etcd: endpoints, namespace: ns, args: ['--delay-ms', '500'] });
    const cluster = await fx.open(ns, { maxInflight: 1 });
    await cluster.ready({ nodes: 1, timeoutMs: 10_000 });
    const running = settled(cluster.call('Arith.Add', { A: 1, B: 2 }));
    const queued = settled(cluster.call('Arith.Add', { A: 3, B: 4 }));
    await cluster.close();
    expect((await queued).value).toBeInstanceOf(ClusterClosedError);
    await running; // whatever it got; it held its slot through close
    await expect(cluster.call('Arith.Add', { A: 1, B: 1 })).rejects.toBeInstanceOf(ClusterClosedError);
  });
});

/** busyNode serves NDJSON JSON-RPC answering every call with `code`; `calls` counts them. */
async function busyNode(code: number, message: string): Promise<{ port: number; calls: () => number }> {
  let calls = 0;
  const server = net.createServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const batch = JSON.parse(line) as { id?: number }[];
        const replies = batch
          .filter((c) => c.id !== undefined)
          .map((c) => ({ jsonrpc: '2.0', id: c.id, error: { code, message } }));
        calls += replies.length;
        socket.write(`${JSON.stringify(replies)}\n`);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fx.cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as net.AddressInfo).port, calls: () => calls };
}

/** register puts a NodeInfo for a node served at `tcpPort` (no lease: the fixture deletes the namespace). */
async function register(ns: string, id: string, tcpPort: number): Promise<void> {
  const info: NodeInfo = {
    v: 1,
    id,
    endpoints: { http: 'http://127.0.0.1:9', tcp: `127.0.0.1:${tcpPort}` },
    methods: ['Arith.Multiply', 'Arith.Add'],
    weight: 1,
    version: '0.0.0-test',
    startedAt: new Date().toISOString(),
    pid: process.pid,
    hostname: 'test',
  };
  await fx.admin.put(nodeKey(ns, id)).value(JSON.stringify(info)).exec();
}

/** byId picks nodes in id order, skipping excluded ones: the busy ones (`a…`) are asked first. */
const byId: PickerBuilder = (targets) => {
  const ordered = [...targets].sort((x, y) => (x.id < y.id ? -1 : 1));
  return { size: ordered.length, pick: (o) => ordered.find((t) => !o?.exclude?.has(t.id)) };
};

describe('a node that is overloaded or shutting down', () => {
  it('has its calls retried on another node, within the retry budget, and is not ejected', async () => {
    const ns = fx.namespace('bp-busy');
    const overloaded = await busyNode(-32003, 'overloaded');
    const draining = await busyNode(-32002, 'shutting down');
    await register(ns, 'a-overloaded', overloaded.port);
    await register(ns, 'b-draining', draining.port);
    await startNode({ id: 'z-real', etcd: endpoints, namespace: ns });
    // A budget of two retries per call, and no floor: the retries below are exactly the budget's.
    const budget = { ratio: 2, minPerSecond: 0 };
    const cluster = await fx.open(ns, { balancer: byId, attempts: 3, retryBudget: budget });
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });

    for (let i = 0; i < 5; i++) expect(await cluster.call('Arith.Multiply', { A: i, B: 7 })).toBe(i * 7);
    const group = await cluster.callMany([
      { method: 'Arith.Add', params: { A: 1, B: 2 } },
      { method: 'Arith.Add', params: { A: 3, B: 4 } },
    ]);
    expect(group).toEqual([
      { ok: true, result: 3, nodeId: 'z-real' },
      { ok: true, result: 7, nodeId: 'z-real' },
    ]);
    expect(overloaded.calls()).toBe(5 + 2);
    expect(draining.calls()).toBe(5 + 2);
    const stats = cluster.stats();
    expect(stats.retries).toBe(5 * 2 + 2 * 2);
    expect(stats.failures).toBe(0);
    for (const id of ['a-overloaded', 'b-draining']) {
      expect(stats.nodes.find((n) => n.id === id)).toMatchObject({
        state: 'closed',
        ejections: 0,
        failures: 0,
      });
    }

    // Without budget, no retry: the first node's answer is the call's.
    const frugal = await fx.open(ns, { balancer: byId, retryBudget: { ratio: 0, minPerSecond: 0 } });
    await frugal.ready({ nodes: 3, timeoutMs: 10_000 });
    const refused = await frugal.call('Arith.Multiply', { A: 1, B: 2 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OverloadedError);
    expect(refused).toMatchObject({ nodeId: 'a-overloaded', retryable: true });
    expect(frugal.stats().retries).toBe(0);
  });

  it('when every node is busy, the last answer surfaces with its class and node', async () => {
    const ns = fx.namespace('bp-allbusy');
    const draining = await busyNode(-32002, 'shutting down');
    const overloaded = await busyNode(-32003, 'overloaded');
    await register(ns, 'a-draining', draining.port);
    await register(ns, 'b-overloaded', overloaded.port);
    const cluster = await fx.open(ns, { balancer: byId, attempts: 2, retryBudget: { ratio: 2 } });
    await cluster.ready({ nodes: 2, timeoutMs: 10_000 });
    const error = await cluster.call('Arith.Multiply', { A: 1, B: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OverloadedError);
    expect(error).toMatchObject({ nodeId: 'b-overloaded', retryable: true, message: 'overloaded' });
    const one = await cluster
      .call('Arith.Multiply', { A: 1, B: 2 }, { attempts: 1 })
      .catch((e: unknown) => e);
    expect(one).toBeInstanceOf(RemoteShuttingDownError);
    expect(one).toMatchObject({ nodeId: 'a-draining', code: -32002 });
    expect([draining.calls(), overloaded.calls()]).toEqual([2, 1]);
  });
});
