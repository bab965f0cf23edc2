/**
 * membership-reregister: a node killed (its key still registered) and started again under the same
 * id and HTTP port but a new TCP port. The etcd value is put over the old one (an `updated` change,
 * no `removed`), and the SDK's default TCP transport must dial the new port. Real etcd, real nodes.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { NodeChange } from '../../src/index.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { nodeMetric } from '../support/node-metrics.js';
import { startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
afterAll(() => fx.close());

describe('a node that re-registers on a new TCP port', () => {
  it('gets its new TCP port dialled by the SDK', async () => {
    const ns = fx.namespace('rereg-tcp');
    const first = await startNode({ id: 'rr', etcd: endpoints, namespace: ns, ttl: 30 });
    const cluster = await fx.open(ns, { transport: 'tcp' });
    await cluster.ready({ nodes: 1, timeoutMs: 10_000 });
    expect(await cluster.multiply(6n, 7n)).toBe(42n); // the SDK now holds a socket to the first TCP port
    await first.stop('SIGKILL'); // no revoke: the key stays under the first lease (ttl 30 s)
    const updated = new Promise<NodeChange>((resolve) => {
      cluster.on('nodes', (c) => {
        if (c.type === 'updated' && c.node.id === 'rr') resolve(c);
      });
    });
    const second = await startNode({
      id: 'rr',
      etcd: endpoints,
      namespace: ns,
      args: ['--port', String(first.httpPort)],
    });
    expect(second.httpPort).toBe(first.httpPort);
    expect(second.tcpPort).not.toBe(first.tcpPort);
    const change = await updated;
    expect(change.node.endpoints.http).toMatch(new RegExp(`:${first.httpPort}$`));
    expect(change.node.endpoints.tcp).toMatch(new RegExp(`:${second.tcpPort}$`));
    for (let i = 0; i < 20; i++) expect(await cluster.multiply(BigInt(i), 3n)).toBe(BigInt(i) * 3n);
    expect(await nodeMetric(second.http, 'arith_calls_total')).toBeGreaterThanOrEqual(20);
  });
});
