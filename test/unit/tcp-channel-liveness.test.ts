/**
 * TcpChannel's liveness: a silent connection with batches outstanding is pinged (`rpc.ping`) and
 * dropped when the ping goes unanswered; a node that answers pings keeps its slow batches (no ping while idle: silence-watch.test.ts); `ping()`
 * probes a node. Scripted servers on real local sockets (no arith node).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../src/client/errors.js';
import type { BatchRequest } from '../../src/client/transport/channel.js';
import { TcpChannel } from '../../src/client/transport/tcp-channel.js';
import { pingReply } from '../../src/protocol/ping.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A server that hands every line to `onLine` (raw text), recording them. */
async function server(onLine: (socket: net.Socket, line: string) => void) {
  const lines: string[] = [];
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((socket) => {
    sockets.add(socket);
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        onLine(socket, line);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    srv.close();
  });
  return { address: `127.0.0.1:${(srv.address() as net.AddressInfo).port}`, lines };
}

const batch = (firstId: number, deadlineMs = 10_000): BatchRequest => ({
  calls: `{"jsonrpc":"2.0","id":${firstId},"method":"Arith.Multiply","params":{"A":1,"B":2}}`,
  count: 1,
  firstId,
  deadlineAt: Date.now() + deadlineMs,
  lone: undefined,
});

const channel = (address: string) =>
  new TcpChannel({ nodeId: 'n1', address, connectTimeoutMs: 2_000, silenceMs: 100, pingAnswerMs: 100 });

const pings = (lines: string[]) => lines.filter((l) => pingReply(l) !== undefined);

describe('TcpChannel liveness', () => {
  it('pings a silent connection with a batch outstanding, and drops it (timeout) when nothing answers', async () => {
    const srv = await server(() => undefined); // reads, never answers: a frozen node
    const ch = channel(srv.address);
    const error = await ch.exchange(batch(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ kind: 'timeout' });
    expect((error as Error).message).toContain('rpc.ping'); // not the deadline's 10 s + grace
    expect(pings(srv.lines)).toHaveLength(1);
    await ch.close();
  });

  it('keeps a slow batch while the node answers its pings', async () => {
    let held: (() => void) | undefined;
    const srv = await server((socket, line) => {
      const pong = pingReply(line);
      if (pong !== undefined) {
        socket.write(`${pong}\n`);
        // after three pings, answer the call: it must still be waiting for it
        if (pings(srv.lines).length === 3) held?.();
        return;
      }
      held = () => socket.write(`[{"jsonrpc":"2.0","id":1,"result":2}]\n`);
    });
    const ch = channel(srv.address);
    expect(await ch.exchange(batch(1))).toEqual([{ jsonrpc: '2.0', id: 1, result: 2 }]);
    expect(pings(srv.lines).length).toBeGreaterThanOrEqual(3);
    await ch.close();
  });

  it('ping() resolves on the pong and rejects (timeout) when none comes', async () => {
    const live = await server((socket, line) => {
      const pong = pingReply(line);
      if (pong !== undefined) socket.write(`${pong}\n`);
    });
    const ch = channel(live.address);
    await ch.ping(1_000);
    await ch.close();
    const frozen = await server(() => undefined);
    const ch2 = channel(frozen.address);
    await expect(ch2.ping(150)).rejects.toMatchObject({ constructor: TransportError, kind: 'timeout' });
    await ch2.close();
  });
});
