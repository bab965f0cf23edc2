/**
 * What a call holding a `maxInflight` slot costs while its node has not answered: its caller's
 * promise, the call's record and one attempt record that the batch settles (no async function or
 * promise per attempt, no `setTimeout` or closure per call), plus its share of the batch's text.
 * Measured on the V8 heap after a full collection, against a real TCP listener that reads the
 * batches and never answers.
 */
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/client/cluster.js';
import { Limiter } from '../../src/client/limiter.js';
import type { NodeInfo } from '../../src/registry/types.js';
import { clusterOnSource, FakeSource } from '../support/fake-node-source.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** A TCP listener that reads everything and answers nothing. */
async function silentNode(): Promise<net.Server> {
  const server = net.createServer((socket) => socket.resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function clusterOn(port: number, limiter: Limiter): Cluster {
  const node: NodeInfo = {
    v: 1,
    id: 'silent',
    endpoints: { http: 'http://127.0.0.1:1', tcp: `127.0.0.1:${port}` },
    methods: ['Arith.Multiply'],
    weight: 1,
    version: '0.1.0',
    startedAt: '2024-01-01T00:00:00.000Z',
    pid: 1,
    hostname: 'h',
  };
  const source = new FakeSource([node]);
  return clusterOnSource(source, { attempts: 1 }, limiter);
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('a call in flight (holding a maxInflight slot)', () => {
  it('costs under 850 bytes of heap each, batch text included (was about 2,400)', async () => {
    const server = await silentNode();
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
    const n = 8_192;
    const limiter = new Limiter(n, 0);
    const cluster = clusterOn((server.address() as net.AddressInfo).port, limiter);
    const params = { A: 6, B: 7 };
    // Warm up: connect, and let the modules' and the socket's own allocations happen first.
    const warm = cluster.call('Arith.Multiply', params, { deadlineMs: 50 }).catch(() => undefined);
    await warm;
    for (let i = 0; i < 5; i++) await turn();
    const calls: Promise<unknown>[] = new Array(n);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) calls[i] = cluster.call('Arith.Multiply', params);
    for (let i = 0; i < 5; i++) await turn(); // every batch written
    gc();
    const perCall = (process.memoryUsage().heapUsed - before) / n;
    expect(limiter.active).toBe(n);
    expect(perCall).toBeLessThan(850);
    for (const c of calls) c.catch(() => undefined); // they fail with the connection, on close
    await cluster.close().catch(() => undefined);
  });
});
