/**
 * cluster-many: `callMany` against real nodes: calls go together to one node (one batch), come back
 * in order with who answered, application errors are outcomes, and a dead node's share fails over.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DeadlineExceededError, type PickerBuilder, RemoteError } from '../../src/index.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { nodeMetric } from '../support/node-metrics.js';
import { startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
afterAll(() => fx.close());

/** first tries nodes in id order (after excluded ones): a deterministic balancer for failover. */
const first: PickerBuilder = (targets) => {
  const sorted = [...targets].sort((a, b) => a.id.localeCompare(b.id));
  return { size: sorted.length, pick: (o) => sorted.find((t) => !o?.exclude?.has(t.id)) };
};

describe('callMany', () => {
  it('sends a group as one batch to one node and answers each call in order, errors included', async () => {
    const ns = fx.namespace('many');
    const nodes = await Promise.all(
      ['a', 'b'].map((x) => startNode({ id: `many-${x}`, etcd: endpoints, namespace: ns })),
    );
    const cluster = await fx.open(ns, { balancer: first });
    await cluster.ready({ nodes: 2, timeoutMs: 10_000 });
    const calls = Array.from({ length: 100 }, (_, i) =>
      i === 7
        ? { method: 'Arith.Divide', params: { A: 1, B: 0 } }
        : { method: 'Arith.Multiply', params: { A: BigInt(i) * 2n ** 60n, B: 3 } },
    );
    const out = await cluster.callMany(calls);
    expect(out).toHaveLength(100);
    expect(out.filter((o) => o.nodeId !== 'many-a')).toEqual([]);
    const bad = out[7]!;
    expect(bad.ok ? undefined : bad.error).toBeInstanceOf(RemoteError);
    expect(bad.ok ? undefined : (bad.error as RemoteError).code).toBe(1001);
    for (const [i, o] of out.entries()) {
      if (i === 7) continue;
      expect(o).toMatchObject({ ok: true, nodeId: 'many-a' });
      expect(o.ok && BigInt(o.result as string | number)).toBe(BigInt(i) * 3n * 2n ** 60n); // exact
    }
    // One message carried the 100 calls (the batch limit is 128).
    expect(await nodeMetric(nodes[0]!.http, 'arith_requests_total', 'transport="tcp"')).toBe(1);
    expect(await nodeMetric(nodes[1]!.http, 'arith_requests_total', '')).toBe(0);
    expect(await cluster.callMany([])).toEqual([]);
  });

  it('moves the calls of a killed node to the next one, and bounds the group by its deadline', async () => {
    const ns = fx.namespace('many-fail');
    const [a] = await Promise.all([
      startNode({ id: 'mf-a', etcd: endpoints, namespace: ns }),
      startNode({ id: 'mf-b', etcd: endpoints, namespace: ns }),
    ]);
    const cluster = await fx.open(ns, { balancer: first });
    await cluster.ready({ nodes: 2, timeoutMs: 10_000 });
    await a!.stop('SIGKILL'); // its key stays registered until the lease expires
    const calls = Array.from({ length: 64 }, (_, i) => ({ method: 'Arith.Add', params: { A: i, B: 1 } }));
    const out = await cluster.callMany(calls);
    expect(out.map((o) => (o.ok ? o.result : o.error))).toEqual(calls.map((_, i) => i + 1));
    expect(new Set(out.map((o) => o.nodeId))).toEqual(new Set(['mf-b']));
    expect(cluster.stats().retries).toBe(64);

    const slowNs = fx.namespace('many-slow');
    await startNode({ id: 'ms-a', etcd: endpoints, namespace: slowNs, args: ['--delay-ms', '500'] });
    const slow = await fx.open(slowNs);
    await slow.ready({ nodes: 1, timeoutMs: 10_000 });
    const started = Date.now();
    const late = await slow.callMany(calls.slice(0, 3), { deadlineMs: 100 });
    expect(Date.now() - started).toBeLessThan(450);
    for (const o of late) expect(o.ok ? undefined : o.error).toBeInstanceOf(DeadlineExceededError);
  });
});
