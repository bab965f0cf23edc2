/**
 * cluster-transport: the SDK's two transports against real nodes. TCP (the default) pipelines
 * batches as lines over one socket per node and passes deadlines in an `rpc.deadline` note; HTTP
 * posts them. Both must give the same answers and the node must enforce the caller's deadline.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  type Cluster,
  type ConnectOptions,
  DeadlineExceededError,
  RemoteError,
  type TransportName,
} from '../../src/index.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { nodeMetric } from '../support/node-metrics.js';
import { type NodeProcess, startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
afterAll(() => fx.close());

/** metric sums one counter of a node's /metrics over the lines containing `filter`. */
const metric = (node: NodeProcess, name: string, filter = ''): Promise<number> =>
  nodeMetric(node.http, name, filter);

async function cluster(ns: string, options: Partial<ConnectOptions>, nodes: number): Promise<Cluster> {
  const c = await fx.open(ns, options);
  await c.ready({ nodes, timeoutMs: 10_000 });
  return c;
}

describe.each<TransportName>(['tcp', 'http'])('transport %s', (transport) => {
  it('answers 3,000 concurrent calls over 3 nodes exactly, batched, on that transport only', async () => {
    const ns = fx.namespace(`transport-${transport}`);
    const nodes = await Promise.all(
      ['a', 'b', 'c'].map((x) => startNode({ id: `tr-${transport}-${x}`, etcd: endpoints, namespace: ns })),
    );
    const c = await cluster(ns, transport === 'tcp' ? {} : { transport }, 3);
    const results = await Promise.all(
      Array.from({ length: 3_000 }, (_, i) => c.call('Arith.Multiply', { A: i, B: 3 })),
    );
    expect(results.filter((r, i) => r !== i * 3)).toEqual([]);
    expect(await c.multiply(2n ** 62n, 3n)).toBe(3n * 2n ** 62n); // exact beyond int64, either way
    const other = transport === 'tcp' ? 'http' : 'tcp';
    let calls = 0;
    let requests = 0;
    for (const n of nodes) {
      calls += await metric(n, 'arith_calls_total');
      requests += await metric(n, 'arith_requests_total', `transport="${transport}"`);
      expect(await metric(n, 'arith_requests_total', `transport="${other}"`)).toBe(0);
    }
    expect(calls).toBe(3_001);
    expect(requests).toBeGreaterThan(0);
    expect(requests).toBeLessThan(3_001 / 4); // auto-batched: several calls per request or line
  });

  it('the node enforces the caller deadline, and an over-size batch is refused with -32600', async () => {
    const ns = fx.namespace(`transport-limits-${transport}`);
    const slow = await startNode({
      id: `tr-slow-${transport}`,
      etcd: endpoints,
      namespace: ns,
      args: ['--delay-ms', '400', '--max-body', '4096'],
    });
    const c = await cluster(ns, { transport }, 1);
    await expect(c.call('Arith.Multiply', { A: 6, B: 7 }, { deadlineMs: 150 })).rejects.toBeInstanceOf(
      DeadlineExceededError,
    );
    // The node was told: it gave up at the caller's deadline instead of its own 30 s request timeout.
    await expect
      .poll(() => metric(slow, 'arith_calls_total', 'outcome="deadline"'), { timeout: 2_000 })
      .toBe(1);

    const big = { A: '1'.repeat(5_000), B: 1 };
    const refused = await c.call('Arith.Multiply', big).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RemoteError);
    expect((refused as RemoteError).code).toBe(-32600);
    expect(await c.call('Arith.Multiply', { A: 6, B: 7 })).toBe(42); // the node still serves this client
    expect(c.stats().nodes[0]?.state).toBe('closed');
  });
});
