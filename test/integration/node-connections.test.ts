/**
 * Connection limits on real node processes: idle sockets are reclaimed (--idle-timeout), slow
 * header senders are cut off, connections past --max-connections are refused and counted, and a
 * TCP client that pipelines without reading stops being read (--max-pipeline, write backpressure)
 * while everyone else is served.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { nodeMetric } from '../support/node-metrics.js';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';
import { httpBodies, httpPost, type RawSocket, rawSocket } from '../support/raw-socket.js';

afterAll(stopAllNodes);

const call = (id: number, method: string, params: unknown): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });

/** servesBoth: the node answers a TCP call and an HTTP call exactly. */
async function servesBoth(node: NodeProcess): Promise<void> {
  const tcp = await rawSocket(node.tcpPort);
  tcp.socket.write(`${call(7, 'Arith.Multiply', [7, 8])}\n`);
  await tcp.read((t) => t.includes('\n'));
  expect(tcp.lines()).toEqual([{ jsonrpc: '2.0', id: 7, result: 56 }]);
  tcp.socket.destroy();
  const res = await fetch(`${node.http}/`, { method: 'POST', body: call(8, 'Arith.Add', [2, 3]) });
  expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 8, result: 5 });
}

describe('arith-node --idle-timeout', () => {
  it('closes 50 sockets that never send (25 TCP, 25 HTTP) and keeps serving', async () => {
    const node = await startNode({ standalone: true, args: ['--idle-timeout', '500'] });
    const idle = await Promise.all(
      Array.from({ length: 50 }, (_, i) => rawSocket(i % 2 ? node.tcpPort : node.httpPort)),
    );
    await servesBoth(node);
    await Promise.all(idle.map((s) => s.closed));
    // TCP closes silently; HTTP too, or with Node's 408 when its header timeout check comes first.
    for (const [i, s] of idle.entries())
      expect(s.text()).toMatch(i % 2 ? /^$/ : /^(HTTP\/1\.1 408 [\s\S]*)?$/);
    await servesBoth(node);
  });

  it('closes sockets that went quiet after a request, and a TCP client trickling a line', async () => {
    const node = await startNode({ standalone: true, args: ['--idle-timeout', '500'] });
    const tcp = await rawSocket(node.tcpPort);
    tcp.socket.write(`${call(1, 'Arith.Add', [1, 2])}\n`);
    const http = await rawSocket(node.httpPort);
    http.socket.write(httpPost(call(2, 'Arith.Add', [2, 2])));
    const trickler = await rawSocket(node.tcpPort);
    const drip = setInterval(() => trickler.socket.write(' '), 100);
    trickler.socket.write('{"jsonrpc":"2.0","id":3,');
    try {
      await Promise.all([tcp.closed, http.closed, trickler.closed]);
    } finally {
      clearInterval(drip);
    }
    expect(tcp.lines()).toEqual([{ jsonrpc: '2.0', id: 1, result: 3 }]);
    expect(httpBodies(http.text()).map((b) => JSON.parse(b))).toEqual([{ jsonrpc: '2.0', id: 2, result: 4 }]);
    expect(trickler.text()).toBe('');
  });

  it('cuts off an HTTP client that trickles its headers (408) and never cuts a long call', async () => {
    const node = await startNode({
      standalone: true,
      args: ['--idle-timeout', '300', '--delay-ms', '1000', '--request-timeout', '5000'],
    });
    const slow = await rawSocket(node.httpPort);
    slow.socket.write('POST / HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    const drip = setInterval(() => slow.socket.write('x-slow: 1\r\n'), 50);
    // A call that takes longer than the idle timeout, on each transport, is answered in full.
    const tcp = await rawSocket(node.tcpPort);
    tcp.socket.write(`${call(1, 'Arith.Multiply', [6, 7])}\n`);
    const res = await fetch(`${node.http}/`, { method: 'POST', body: call(2, 'Arith.Add', [40, 2]) });
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 2, result: 42 });
    await tcp.read((t) => t.includes('\n'));
    expect(tcp.lines()).toEqual([{ jsonrpc: '2.0', id: 1, result: 42 }]);
    try {
      await slow.closed;
    } finally {
      clearInterval(drip);
    }
    expect(slow.text()).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe('arith-node --max-connections', () => {
  it('refuses the 6th connection at once (TCP: an error line, HTTP: 503), counts it and serves the 5', async () => {
    const node = await startNode({ standalone: true, args: ['--max-connections', '5'] });
    const held: RawSocket[] = [];
    // Each held socket proves it was admitted by getting an answer.
    for (let i = 0; i < 3; i++) {
      const s = await rawSocket(node.tcpPort);
      s.socket.write(`${call(i, 'Arith.Add', [i, 1])}\n`);
      await s.read((t) => t.includes('\n'));
      held.push(s);
    }
    for (let i = 0; i < 2; i++) {
      const s = await rawSocket(node.httpPort);
      s.socket.write(httpPost(call(i, 'Arith.Add', [i, 1])));
      await s.read((t) => httpBodies(t).length === 1);
      held.push(s);
    }
    const tcp6 = await rawSocket(node.tcpPort);
    await tcp6.closed;
    const refusal = { code: -32003, message: 'overloaded: 5 connections open; retry on another node' };
    expect(tcp6.lines()).toEqual([{ jsonrpc: '2.0', id: null, error: refusal }]);
    const http6 = await rawSocket(node.httpPort);
    await http6.closed;
    expect(http6.text()).toMatch(/^HTTP\/1\.1 503 /);
    expect(httpBodies(http6.text()).map((b) => JSON.parse(b))).toEqual([
      { jsonrpc: '2.0', id: null, error: refusal },
    ]);
    // The admitted connections are still served; one of them reads the counters.
    held[0]!.socket.write(`${call(9, 'Arith.Multiply', [9, 9])}\n`);
    await held[0]!.read((t) => t.includes('"id":9'));
    expect(held[0]!.lines().at(-1)).toEqual({ jsonrpc: '2.0', id: 9, result: 81 });
    const metrics = held[4]!;
    metrics.socket.write('GET /metrics HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
    await metrics.closed;
    const counted = (transport: string): number =>
      Number(
        new RegExp(
          `^arith_rejected_requests_total\\{transport="${transport}",reason="max_connections"[^}]*\\} (\\d+)`,
          'm',
        ).exec(metrics.text())?.[1],
      );
    expect([counted('tcp'), counted('http')]).toEqual([1, 1]);
    for (const s of held) s.socket.destroy();
  });
});

describe('arith-node --max-pipeline', () => {
  it('has at most --max-pipeline requests of one connection in flight, then stops reading it', async () => {
    const node = await startNode({ standalone: true, args: ['--max-pipeline', '4', '--delay-ms', '1000'] });
    const client = await rawSocket(node.tcpPort);
    client.socket.write(Array.from({ length: 12 }, (_, i) => `${call(i, 'Arith.Add', [i, 1])}\n`).join(''));
    await vi.waitFor(
      async () => expect(await nodeMetric(node.http, 'arith_tcp_paused_connections')).toBe(1),
      { timeout: 5_000, interval: 50 },
    );
    expect(await nodeMetric(node.http, 'arith_inflight_requests')).toBe(4);
    await client.read((t) => t.split('\n').length > 12);
    expect(new Set(client.lines().map((l) => (l as { id: number }).id))).toEqual(
      new Set(Array.from({ length: 12 }, (_, i) => i)),
    );
    client.socket.destroy();
  });

  it('stops reading a client that pipelines without reading, serves others, and catches up when it reads', async () => {
    const node = await startNode({ standalone: true });
    const big = '9'.repeat(4000);
    const n = 1500;
    const pipeliner = await rawSocket(node.tcpPort);
    pipeliner.socket.pause();
    const lines = Array.from({ length: n }, (_, i) => `${call(i, 'Arith.Multiply', [big, big])}\n`);
    pipeliner.socket.write(lines.join(''));
    await vi.waitFor(
      async () => expect(await nodeMetric(node.http, 'arith_tcp_paused_connections')).toBe(1),
      { timeout: 15_000, interval: 100 },
    );
    await servesBoth(node);
    pipeliner.socket.resume();
    await pipeliner.read((t) => t.split('\n').length > n);
    const answers = pipeliner.lines() as { id: number; result: string }[];
    expect(answers.map((a) => a.id)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(new Set(answers.map((a) => a.result))).toEqual(new Set([(BigInt(big) * BigInt(big)).toString()]));
    await vi.waitFor(
      async () => expect(await nodeMetric(node.http, 'arith_tcp_paused_connections')).toBe(0),
      { timeout: 5_000, interval: 50 },
    );
    pipeliner.socket.destroy();
  });
});
