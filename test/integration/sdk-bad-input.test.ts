/**
 * sdk-bad-input: one call's bad argument fails that call alone (a TypeError, a RangeError, or the
 * node's own error when it is valid JSON-RPC), never the other calls of its batch, never the
 * process, never a hang. Real etcd, real nodes, the SDK and the gateway in front of them.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Cluster, connect, RemoteError } from '../../src/index.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { type GatewayHandle, openGateway, post } from '../support/gateway.js';
import { LineClient } from '../support/line-client.js';
import { startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
afterAll(() => fx.close());

/** settleAll waits for every promise and says what each did (error class and code, or result). */
async function settleAll(promises: Promise<unknown>[]): Promise<unknown[]> {
  const out = await Promise.allSettled(promises);
  return out.map((o) =>
    o.status === 'fulfilled'
      ? o.value
      : `${(o.reason as Error).name}${o.reason instanceof RemoteError ? ` ${o.reason.code}` : ''}`,
  );
}

describe('bad input to the SDK, against real nodes', () => {
  let cluster: Cluster;
  let gw: GatewayHandle;

  beforeAll(async () => {
    const ns = fx.namespace('badin');
    await startNode({ id: 'badin-a', etcd: endpoints, namespace: ns });
    cluster = await fx.open(ns);
    await cluster.ready({ nodes: 1, timeoutMs: 10_000 });
    gw = await openGateway(fx, ns, 1);
  });

  it('a call with params that are not JSON fails alone; the batch around it is answered', async () => {
    const circular: Record<string, unknown> = { A: 1, B: 2 };
    circular.self = circular;
    const bad: unknown[] = [undefined, () => 1, Symbol('s'), circular, { A: [[[{ x: 1n }]]] }];
    for (const params of bad) {
      const good = Array.from({ length: 20 }, () => cluster.call('Arith.Add', [1, 2]));
      const out = await settleAll([...good, cluster.call('Arith.Add', params)]);
      expect(out.slice(0, 20)).toEqual(Array(20).fill(3));
      // No params member: the node's own -32602; params that are not JSON: a TypeError.
      expect(out[20]).toBe(params === undefined ? 'RemoteInvalidParamsError -32602' : 'TypeError');
    }
  });

  it('callMany: a bad element fails alone, a bad group rejects with a TypeError', async () => {
    const out = await cluster.callMany([
      { method: 'Arith.Add', params: [1, 2] },
      { method: 'Arith.Add', params: undefined },
      { method: 'Arith.Multiply', params: [3, 4] },
    ]);
    expect(out.map((o) => (o.ok ? o.result : (o.error as RemoteError).code))).toEqual([3, -32602, 12]);
    // A sparse array once crashed the process inside the node client.
    // biome-ignore lint/suspicious/noSparseArray: the case under test
    const sparse = [, { method: 'Arith.Add', params: [1, 2] }] as never;
    await expect(cluster.callMany(sparse)).rejects.toThrow(/calls\[0\] must be an object/);
    await expect(cluster.callMany('x' as never)).rejects.toThrow(TypeError);
    await expect(cluster.callMany([{}] as never)).rejects.toThrow(/calls\[0\]\.method/);
    await expect(cluster.all(undefined as never, [1, 2])).rejects.toThrow(
      /method must be a non-empty string/,
    );
    await expect(cluster.quorum('Arith.Add', [1, 2], undefined as never)).rejects.toThrow(/quorum options/);
    await expect(cluster.multiply(undefined as never, 2)).rejects.toThrow(/A: expected a bigint/);
    expect(await cluster.call('Arith.Add', [1, 2])).toBe(3); // and the client still works
  });

  it('the gateway answers a batch element without params, and rpc.ping, as a node does', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'Arith.Add', params: [1, 2] },
      { jsonrpc: '2.0', id: 2, method: 'Arith.Add' },
      { jsonrpc: '2.0', id: 3, method: 'Arith.Multiply', params: [3, 4] },
      { jsonrpc: '2.0', id: 4, method: 'rpc.ping' },
    ];
    const answers = JSON.parse((await post(gw.http, JSON.stringify(batch))).text) as {
      id: number;
      result?: unknown;
      error?: { code: number };
    }[];
    const byId = new Map(answers.map((a) => [a.id, a.result ?? a.error?.code]));
    expect([1, 2, 3, 4].map((id) => byId.get(id))).toEqual([3, -32602, 12, -32601]);
    // TCP: 20 good lines and one without params in one write.
    const line = await LineClient.connect(gw.tcpPort);
    try {
      const lines = Array.from({ length: 21 }, (_, i) =>
        JSON.stringify({
          jsonrpc: '2.0',
          id: i,
          method: 'Arith.Add',
          ...(i === 10 ? {} : { params: [i, 1] }),
        }),
      );
      line.socket.write(`${lines.join('\n')}\n`);
      const replies = await line.json(21);
      const got = new Map(replies.map((r) => [r.id, r.result ?? (r.error as { code: number }).code]));
      expect(Array.from({ length: 21 }, (_, i) => got.get(i))).toEqual(
        Array.from({ length: 21 }, (_, i) => (i === 10 ? -32602 : i + 1)),
      );
    } finally {
      line.socket.destroy();
    }
  });

  it('deadlines: huge values are clamped (no 1 ms timer, no retry storm), bad ones refused', async () => {
    const before = cluster.stats().retries;
    for (const deadlineMs of [3e9, 1e10, Number.POSITIVE_INFINITY]) {
      expect(await cluster.call('Arith.Add', [1, 2], { deadlineMs })).toBe(3);
    }
    expect(
      await cluster.callMany([{ method: 'Arith.Add', params: [1, 2] }], { deadlineMs: 1e10 }),
    ).toMatchObject([{ ok: true, result: 3 }]);
    expect(cluster.stats().retries).toBe(before);
    await expect(cluster.call('Arith.Add', [1, 2], { deadlineMs: '1000' as never })).rejects.toThrow(
      TypeError,
    );
    for (const deadlineMs of [Number.NaN, -1]) {
      await expect(cluster.call('Arith.Add', [1, 2], { deadlineMs })).rejects.toThrow(/deadlineMs/);
    }
    await expect(cluster.call('Arith.Add', [1, 2], { attempts: 0 })).rejects.toThrow(RangeError);
    await expect(cluster.ready({ nodes: 1, timeoutMs: Number.NaN })).rejects.toThrow(RangeError);
    await cluster.ready({ nodes: 1, timeoutMs: 1e10 });
  });

  it('results and map refuse bad options before writing anything', async () => {
    const r = cluster.results;
    await expect(r.compute('z/1', 'Arith.Add', [1, 2], { verify: 'bogus' as never })).rejects.toThrow(
      /verify must be one of/,
    );
    expect(await r.get('z/1')).toBeUndefined();
    await expect(r.get(123 as never)).rejects.toThrow(/key must be a string/);
    await expect(r.verify(null as never)).rejects.toThrow(TypeError);
    await expect(r.list({ limit: -1 })).rejects.toThrow(RangeError);
    const ops = [{ method: 'Arith.Add', params: [1, 2], key: 'z/map' }];
    await expect(cluster.map(ops, { concurrency: Number.NaN, jobId: 'badin-map' })).rejects.toThrow(
      /concurrency/,
    );
    expect(await r.job('badin-map')).toBeUndefined();
    await expect(cluster.submit(ops, { chunkOps: 0, jobId: 'badin-q' })).rejects.toThrow(/chunkOps/);
  });

  it('connect refuses bad options with errors naming them, before opening anything', async () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /connect options must be an object/],
      [{}, /etcd must be an array/],
      [{ etcd: '127.0.0.1:2379' }, /got a string/],
      [{ etcd: [] }, /at least one endpoint/],
      [{ etcd: endpoints, namespace: '' }, /namespace must not be empty/],
      [{ etcd: endpoints, namespace: 'a/b' }, /namespace must match/],
      [{ etcd: endpoints, namespace: 5 }, /namespace must be a string/],
      [{ etcd: endpoints, transport: 'bogus' }, /transport must be one of/],
      [{ etcd: endpoints, balancer: 'bogus' }, /unknown balancer/],
      [{ etcd: endpoints, attempts: 0 }, /attempts/],
      [{ etcd: endpoints, attempts: Number.NaN }, /attempts/],
      [{ etcd: endpoints, connectionsPerNode: 0 }, /connectionsPerNode/],
      [{ etcd: endpoints, connectTimeoutMs: -5 }, /connectTimeoutMs/],
    ];
    for (const [options, message] of cases) {
      await expect(connect(options as never), JSON.stringify(options)).rejects.toThrow(message);
    }
    const c = await connect({ etcd: endpoints, connectTimeoutMs: 1e10, namespace: 'badin-x' });
    await c.close();
  });
});
