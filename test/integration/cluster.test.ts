/**
 * cluster: the SDK (`connect`, `Cluster`) against the shared real etcd and real arith-node
 * processes: the README example as written, and the call modes' semantics (quorum against a node
 * that answers wrong, deadlines, abort, hedging past a slow node). Faults: cluster-faults.test.ts;
 * joining, 300 nodes and backpressure: cluster-load.test.ts.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type Cluster,
  type ConnectOptions,
  connect,
  DeadlineExceededError,
  type NodeChange,
  type Picker,
  type PickerBuilder,
  type PickTarget,
  QuorumError,
  RemoteError,
} from '../../src/index.js';
import { ClusterFixture, nextChange } from '../support/cluster-fixture.js';
import { startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);

afterAll(() => fx.close());

const namespace = (name: string): string => fx.namespace(name);

const open = (ns: string, options: Partial<ConnectOptions> = {}): Promise<Cluster> => fx.open(ns, options);

/** only builds pickers that always pick node `id`: aims every call at one node. */
function only(id: string): PickerBuilder {
  return <T extends PickTarget>(targets: readonly T[]): Picker<T> => {
    const t = targets.find((x) => x.id === id);
    return { size: t ? 1 : 0, pick: () => t };
  };
}

describe('the README example', () => {
  it('runs as written: ready, nodes, events, call / all / any / quorum, typed helpers, await using', async () => {
    const ns = namespace('cluster-readme');
    const changes: NodeChange[] = [];
    let outer: Cluster | undefined;
    {
      await using cluster = await connect({ etcd: endpoints, namespace: ns });
      outer = cluster;
      cluster.on('nodes', (change) => changes.push(change));
      const signal = AbortSignal.timeout(15_000);
      const ready = cluster.ready({ nodes: 3, signal });
      const started = await Promise.all(
        ['rd-c', 'rd-a', 'rd-b'].map((id) => startNode({ id, etcd: endpoints, namespace: ns })),
      );
      await ready;

      const nodes = cluster.nodes();
      expect(nodes.map((n) => n.id)).toEqual(['rd-a', 'rd-b', 'rd-c']);
      for (const n of nodes) {
        expect(n).toMatchObject({ v: 1, endpoints: { http: started.find((s) => s.id === n.id)?.http } });
        expect(n.methods).toContain('Arith.Multiply');
      }
      expect(changes.map((c) => `${c.type}:${c.node.id}`).sort()).toEqual([
        'added:rd-a',
        'added:rd-b',
        'added:rd-c',
      ]);

      expect(await cluster.call('Arith.Multiply', { A: 7, B: 8 })).toBe(56);
      const receipts = await cluster.all('Arith.Multiply', { A: 7, B: 8 });
      expect(receipts).toEqual(
        ['rd-a', 'rd-b', 'rd-c'].map((nodeId) => ({ nodeId, ok: true, result: 56, ms: expect.any(Number) })),
      );
      expect(await cluster.any('Arith.Multiply', { A: 7, B: 8 })).toBe(56);
      expect(await cluster.quorum('Arith.Multiply', { A: 7, B: 8 }, { k: 2 })).toBe(56);
      const group = await cluster.callMany([
        { method: 'Arith.Multiply', params: { A: 7, B: 8 } },
        { method: 'Arith.Add', params: [7, 8] },
      ]);
      expect(group.map((o) => (o.ok ? o.result : o.error))).toEqual([56, 15]);
      expect(group[0]?.nodeId).toBe(group[1]?.nodeId);
      expect(await cluster.multiply(7n, 8n)).toBe(56n);
      expect(await cluster.multiply(9007199254740993n, 3n)).toBe(27021597764222979n);
      expect(await cluster.divide(17n, 5n)).toEqual({ quo: 3n, rem: 2n });

      const retries = cluster.stats().retries;
      const sent = cluster.stats().nodes.reduce((s, n) => s + n.calls, 0);
      const err = await cluster.divide(1n, 0n).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RemoteError);
      expect(err).toMatchObject({ code: 1001, message: 'divide by zero', retryable: false });
      expect(cluster.stats().retries).toBe(retries);
      expect(cluster.stats().nodes.reduce((s, n) => s + n.calls, 0)).toBe(sent + 1); // one node asked, once

      const added = nextChange(cluster, 'added', 'rd-d');
      const late = await startNode({ id: 'rd-d', etcd: endpoints, namespace: ns });
      await added;
      const removed = nextChange(cluster, 'removed', 'rd-d');
      late.child.kill('SIGTERM');
      await removed;
      expect(changes.slice(-2).map((c) => `${c.type}:${c.node.id}`)).toEqual(['added:rd-d', 'removed:rd-d']);
    }
    // `await using` closed it on leaving the block.
    await expect(outer!.call('Arith.Multiply', { A: 1, B: 1 })).rejects.toThrow(/closed/);
  });
});

describe('one node that answers wrong (--fault wrong-answer) among three', () => {
  const quorumNs = namespace('cluster-quorum');
  it('quorum outvotes a node that answers wrong; any and call still answer', async () => {
    const ns = quorumNs;
    await Promise.all([
      startNode({ id: 'q-a', etcd: endpoints, namespace: ns }),
      startNode({ id: 'q-b', etcd: endpoints, namespace: ns }),
      startNode({ id: 'q-c', etcd: endpoints, namespace: ns, args: ['--fault', 'wrong-answer'] }),
    ]);
    const cluster = await open(ns);
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
    for (let i = 0; i < 10; i++) {
      expect(await cluster.quorum('Arith.Multiply', { A: 7, B: 8 }, { k: 2 })).toBe(56);
    }
    const err = await cluster.quorum('Arith.Multiply', { A: 7, B: 8 }, { k: 3 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(QuorumError);
    // It gives up as soon as 3 identical answers are impossible, so it waits for the wrong one.
    const answers = (err as QuorumError).answers;
    expect(answers).toContainEqual({ nodeId: 'q-c', result: 57 });
    expect(answers.length).toBeGreaterThanOrEqual(2);
    for (const a of answers.filter((x) => x.nodeId !== 'q-c')) expect(a).toMatchObject({ result: 56 });
    expect((err as QuorumError).message).toMatch(/q-c=57/);
    // call and any cannot tell a wrong answer (that is what quorum is for), but they answer.
    expect([56, 57]).toContain(await cluster.any('Arith.Multiply', { A: 7, B: 8 }));
    const seen = new Map<unknown, number>();
    for (let i = 0; i < 30; i++) {
      const r = await cluster.call('Arith.Multiply', { A: 7, B: 8 });
      seen.set(r, (seen.get(r) ?? 0) + 1);
    }
    expect([...seen.keys()].every((r) => r === 56 || r === 57)).toBe(true);
  });

  // Regression: with k above the live nodes it used to start (and abandon) one attempt per node,
  // leaving one unhandled rejection each.
  it('quorum with k above the live nodes rejects QuorumError and leaves no unhandled rejection', async () => {
    const cluster = await open(quorumNs);
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(cluster.quorum('Arith.Multiply', { A: 7, B: 8 }, { k: 4 })).rejects.toBeInstanceOf(
        QuorumError,
      );
      // Positive signal that any abandoned attempt has settled: a later call answered on every
      // node, and no call is in flight on any of them; then a turn of the event loop, after which
      // Node has reported every rejection left unhandled so far.
      const receipts = await cluster.all('Arith.Multiply', { A: 7, B: 8 });
      expect(receipts.map((r) => r.ok)).toEqual([true, true, true]);
      await expect.poll(() => cluster.stats().nodes.map((n) => n.inflight)).toEqual([0, 0, 0]);
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('one slow node (--delay-ms 300) among three', () => {
  let ns = '';
  let cluster: Cluster;
  let slow: Cluster;
  beforeAll(async () => {
    ns = namespace('cluster-slow');
    await Promise.all([
      startNode({ id: 's-slow', etcd: endpoints, namespace: ns, args: ['--delay-ms', '300'] }),
      startNode({ id: 's-f1', etcd: endpoints, namespace: ns }),
      startNode({ id: 's-f2', etcd: endpoints, namespace: ns }),
    ]);
    // Hedges spend the retry budget; give this client room for one hedge per slow-node call here.
    cluster = await open(ns, { balancer: 'round-robin', retryBudget: { minPerSecond: 100 } });
    slow = await open(ns, { balancer: only('s-slow') });
    await Promise.all([cluster.ready({ nodes: 3, timeoutMs: 10_000 }), slow.ready({ nodes: 3 })]);
  });

  it('a deadline shorter than the delay rejects DeadlineExceededError; an abort rejects with its reason', async () => {
    await cluster.all('Arith.Add', { A: 0, B: 0 }); // warm the connections: CI runs files in parallel
    const receipts = await cluster.all('Arith.Multiply', { A: 6, B: 7 }, { deadlineMs: 200 });
    expect(receipts.map((r) => [r.nodeId, r.ok])).toEqual([
      ['s-f1', true],
      ['s-f2', true],
      ['s-slow', false],
    ]);
    expect(receipts[2]).toMatchObject({ ok: false, error: expect.any(DeadlineExceededError) });
    await expect(slow.call('Arith.Multiply', { A: 6, B: 7 }, { deadlineMs: 100 })).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    await expect(slow.multiply(6n, 7n, { deadlineMs: 50 })).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(await slow.multiply(6n, 7n, { deadlineMs: 2_000 })).toBe(42n);

    const reason = new Error('caller gave up');
    const ac = new AbortController();
    const abortStarted = Date.now();
    setTimeout(() => ac.abort(reason), 50);
    await expect(slow.call('Arith.Multiply', { A: 6, B: 7 }, { signal: ac.signal })).rejects.toBe(reason);
    const abortMs = Date.now() - abortStarted;
    const bare = new AbortController();
    setTimeout(() => bare.abort(), 20);
    const bareErr = await slow
      .call('Arith.Multiply', { A: 1, B: 2 }, { signal: bare.signal })
      .catch((e) => e);
    expect(bareErr).toBe(bare.signal.reason);
    await expect(slow.call('Arith.Multiply', { A: 1, B: 2 }, { signal: ac.signal })).rejects.toBe(reason);
    console.log(`[slow] abort at 50ms rejected after ${abortMs}ms`);
  });

  it('hedging (hedgeMs: 5, round-robin) answers every call fast', async () => {
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      expect(await cluster.call('Arith.Multiply', { A: i, B: 9 }, { hedgeMs: 5 })).toBe(i * 9);
      times.push(Math.round(performance.now() - t0));
    }
    const { hedges, failures } = cluster.stats();
    console.log(
      `[slow] hedged calls max=${Math.max(...times)}ms ` +
        `median=${[...times].sort((a, b) => a - b)[15]}ms hedges=${hedges}`,
    );
    expect(Math.max(...times)).toBeLessThan(150);
    expect(hedges).toBeGreaterThan(0);
    expect(failures).toBe(0);
  });

  // Regression: every receipt's `ms` used to be taken after the slowest node answered.
  it("all: each receipt reports its own node's time", async () => {
    const receipts = await cluster.all('Arith.Multiply', { A: 2, B: 3 });
    expect(receipts.map((r) => r.ok)).toEqual([true, true, true]);
    const [f1, f2, s] = receipts;
    console.log(`[slow] all receipts ms: ${receipts.map((r) => `${r.nodeId}=${r.ms.toFixed(1)}`).join(' ')}`);
    expect(s!.ms).toBeGreaterThanOrEqual(250);
    expect(Math.max(f1!.ms, f2!.ms)).toBeLessThan(s!.ms / 2);
  });
});
