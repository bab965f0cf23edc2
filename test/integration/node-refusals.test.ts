/**
 * The node sends the codes its clients retry elsewhere, at the right moment: OVERLOADED (-32003)
 * past --max-inflight calls, SHUTTING_DOWN (-32002) for calls that arrive on open connections
 * after drain starts; and a batch whose calls carry different deadlines has each enforced on its own.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { NodeClient } from '../../src/client/node-client.js';
import { PendingCall } from '../../src/client/pending-call.js';
import type { TransportName } from '../../src/client/transport/channel.js';
import { CALL_DEADLINES_HEADER, DEADLINE_HEADER, deadlineNote } from '../../src/protocol/deadline.js';
import { nodeMetric } from '../support/node-metrics.js';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';
import { httpBodies, httpPost, rawSocket } from '../support/raw-socket.js';

afterAll(stopAllNodes);

const call = (id: number, method: string, params: unknown): Record<string, unknown> => ({
  jsonrpc: '2.0',
  id,
  method,
  params,
});
const line = (message: unknown): string => `${JSON.stringify(message)}\n`;

describe('arith-node refusals', () => {
  it('answers calls past --max-inflight with -32003 at once, counts them, and serves again after', async () => {
    const node = await startNode({ standalone: true, args: ['--max-inflight', '2', '--delay-ms', '1500'] });
    const tcp = await rawSocket(node.tcpPort);
    tcp.socket.write(line([call(1, 'Arith.Add', [1, 1]), call(2, 'Arith.Add', [2, 2])]));
    await vi.waitFor(async () => expect(await nodeMetric(node.http, 'arith_inflight_calls')).toBe(2), {
      timeout: 5_000,
      interval: 20,
    });
    tcp.socket.write(line(call(3, 'Arith.Add', [3, 3])));
    const res = await fetch(`${node.http}/`, {
      method: 'POST',
      body: JSON.stringify([call(4, 'Arith.Add', [4, 4]), call(5, 'Arith.Add', [5, 5])]),
    });
    const overloaded = { code: -32003, message: 'overloaded: 2 calls in flight; retry on another node' };
    expect(await res.json()).toEqual([
      { jsonrpc: '2.0', id: 4, error: overloaded },
      { jsonrpc: '2.0', id: 5, error: overloaded },
    ]);
    await tcp.read((t) => t.split('\n').length > 2);
    // The refusal came at once, before the admitted batch's answer.
    expect(tcp.lines()).toEqual([
      { jsonrpc: '2.0', id: 3, error: overloaded },
      [
        { jsonrpc: '2.0', id: 1, result: 2 },
        { jsonrpc: '2.0', id: 2, result: 4 },
      ],
    ]);
    const rejected = (transport: string) =>
      nodeMetric(node.http, 'arith_rejected_requests_total', `transport="${transport}",reason="overloaded"`);
    expect([await rejected('tcp'), await rejected('http')]).toEqual([1, 1]);
    expect(await nodeMetric(node.http, 'arith_inflight_calls')).toBe(0);
    tcp.socket.write(line(call(6, 'Arith.Add', [6, 6])));
    await tcp.read((t) => t.includes('"id":6'));
    expect(tcp.lines().at(-1)).toEqual({ jsonrpc: '2.0', id: 6, result: 12 });
    tcp.socket.destroy();
  });

  it('answers calls that arrive on open connections after drain starts with -32002, and finishes the rest', async () => {
    const node = await startNode({
      standalone: true,
      args: ['--delay-ms', '1500', '--drain-timeout', '10000'],
    });
    const tcp = await rawSocket(node.tcpPort);
    tcp.socket.write(line(call(1, 'Arith.Multiply', [6, 7])));
    // HTTP: a request whose body is still to come when the drain starts.
    const http = await rawSocket(node.httpPort);
    const body = JSON.stringify(call(2, 'Arith.Add', [1, 2]));
    const request = httpPost(body);
    http.socket.write(request.slice(0, request.length - body.length));
    await vi.waitFor(async () => expect(await nodeMetric(node.http, 'arith_inflight_calls')).toBe(1), {
      timeout: 5_000,
      interval: 20,
    });
    node.child.kill('SIGTERM');
    await node.waitFor('draining');
    tcp.socket.write(line(call(3, 'Arith.Add', [3, 3])));
    http.socket.write(body);
    const shuttingDown = { code: -32002, message: 'shutting down: retry on another node' };
    await http.read((t) => httpBodies(t).length === 1);
    expect(JSON.parse(httpBodies(http.text())[0]!)).toEqual({ jsonrpc: '2.0', id: 2, error: shuttingDown });
    await tcp.closed;
    expect(tcp.lines()).toEqual([
      { jsonrpc: '2.0', id: 3, error: shuttingDown },
      { jsonrpc: '2.0', id: 1, result: 42 },
    ]);
    expect(await node.exited).toBe(0);
  });
});

/** sendPair sends a 300 ms call and a 10 s call to `node` in one batch through the SDK's NodeClient. */
async function sendPair(
  node: NodeProcess,
  transport: TransportName,
): Promise<PromiseSettledResult<unknown>[]> {
  const info = {
    v: 1 as const,
    id: node.id,
    endpoints: { http: node.http, tcp: `127.0.0.1:${node.tcpPort}` },
    methods: ['Arith.Add'],
    weight: 1,
    version: 'test',
    startedAt: new Date().toISOString(),
    pid: node.pid,
    hostname: 'localhost',
  };
  const client = new NodeClient(info, {
    transport,
    connections: 1,
    pipeline: 4,
    maxBatch: 16,
    connectTimeoutMs: 2_000,
  });
  const now = Date.now();
  const pending: PendingCall[] = [];
  const settled = [300, 10_000].map(
    (ms, i) =>
      new Promise((resolve, reject) => {
        // Untimed: the node's answer settles each call, so the test sees what the node enforced.
        pending.push(new PendingCall('Arith.Add', [i, 1], now + ms, ms, undefined, resolve, reject, false));
      }),
  );
  client.submitAll(pending); // together: one batch
  const results = await Promise.allSettled(settled);
  await client.close();
  return results;
}

describe('per-call deadlines in one batch', () => {
  it('enforces each call its own deadline, over TCP and HTTP, sent by the SDK', async () => {
    const node = await startNode({ standalone: true, args: ['--delay-ms', '1000'] });
    const deadlines = () => nodeMetric(node.http, 'arith_calls_total', 'outcome="deadline"');
    for (const [transport, expired] of [
      ['tcp', 1],
      ['http', 2],
    ] as const) {
      const [short, long] = await sendPair(node, transport);
      expect(short).toMatchObject({ status: 'rejected', reason: { name: 'DeadlineExceededError' } });
      expect(long).toEqual({ status: 'fulfilled', value: 2 });
      expect(await deadlines()).toBe(expired);
    }
  });

  it('reads the per-call list from the TCP note and the HTTP header', async () => {
    const node = await startNode({ standalone: true, args: ['--delay-ms', '1000'] });
    const batch = [call(1, 'Arith.Add', [1, 1]), call(2, 'Arith.Add', [2, 2])];
    const expected = [
      { jsonrpc: '2.0', id: 1, error: { code: -32001, message: 'deadline exceeded' } },
      { jsonrpc: '2.0', id: 2, result: 4 },
    ];
    const tcp = await rawSocket(node.tcpPort);
    tcp.socket.write(
      `[${deadlineNote(5_000, [200, 5_000])}${batch.map((c) => JSON.stringify(c)).join(',')}]\n`,
    );
    await tcp.read((t) => t.includes('\n'));
    expect(tcp.lines()).toEqual([expected]);
    tcp.socket.destroy();
    const res = await fetch(`${node.http}/`, {
      method: 'POST',
      body: JSON.stringify(batch),
      headers: { [DEADLINE_HEADER]: '5000', [CALL_DEADLINES_HEADER]: '200,5000' },
    });
    expect(await res.json()).toEqual(expected);
  });
});
