/**
 * TcpChannel against a scripted server on a real local socket (no arith node): framing, the
 * deadline note, reply routing, refusals, drops and reconnects. End-to-end runs against real nodes
 * are in test/integration/cluster-transport.test.ts.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError, TransportError } from '../../src/client/errors.js';
import type { BatchRequest } from '../../src/client/transport/channel.js';
import { TcpChannel } from '../../src/client/transport/tcp-channel.js';
import { takeDeadlineNote } from '../../src/protocol/deadline.js';

type Reply = (socket: net.Socket, message: unknown[]) => void;

/** A server that hands every received line (parsed) to `reply`. */
async function scripted(reply: Reply): Promise<{ address: string; lines: unknown[][]; close(): void }> {
  const lines: unknown[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const message = JSON.parse(buf.slice(0, nl)) as unknown[];
        buf = buf.slice(nl + 1);
        lines.push(message);
        reply(socket, message);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { address: `127.0.0.1:${port}`, lines, close: () => cleanups.at(-1)?.() };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** answer replies to every call of a line with `result(id)`, as one array line. */
function answer(socket: net.Socket, message: unknown[], result = (id: number) => id * 10): void {
  const calls = takeDeadlineNote(message).message as { id: number }[];
  socket.write(`${JSON.stringify(calls.map((c) => ({ jsonrpc: '2.0', id: c.id, result: result(c.id) })))}\n`);
}

function batch(firstId: number, count: number, deadlineMs = 5_000): BatchRequest {
  const calls = Array.from(
    { length: count },
    (_, i) => `{"jsonrpc":"2.0","id":${firstId + i},"method":"Arith.Multiply","params":{"A":1,"B":2}}`,
  ).join(',');
  return { calls, count, firstId, deadlineAt: Date.now() + deadlineMs, lone: undefined };
}

const channel = (address: string, connectTimeoutMs = 2_000) =>
  new TcpChannel({ nodeId: 'n1', address, connectTimeoutMs });

describe('TcpChannel', () => {
  it('sends each batch as one line led by its deadline note, and routes replies to their batch', async () => {
    const held: [net.Socket, unknown[]][] = [];
    const server = await scripted((socket, message) => {
      held.push([socket, message]);
      if (held.length === 2) for (const [s, m] of held.reverse()) answer(s, m); // answer out of order
    });
    const ch = channel(server.address);
    const [a, b] = await Promise.all([ch.exchange(batch(1, 3, 700)), ch.exchange(batch(4, 2))]);
    expect(a).toEqual([10, 20, 30].map((r, i) => ({ jsonrpc: '2.0', id: i + 1, result: r })));
    expect(b).toEqual([40, 50].map((r, i) => ({ jsonrpc: '2.0', id: i + 4, result: r })));
    expect(server.lines).toHaveLength(2);
    const note = takeDeadlineNote(server.lines[0]);
    expect(note.askedMs).toBeGreaterThan(600);
    expect(note.askedMs).toBeLessThanOrEqual(700);
    expect(note.message).toHaveLength(3);
    await ch.close();
  });

  it("lists each call's own deadline in the note when a batch's deadlines differ", async () => {
    const server = await scripted(answer);
    const ch = channel(server.address);
    const now = Date.now();
    await ch.exchange({ ...batch(1, 2), deadlineAt: now + 5_000, callDeadlinesAt: [now + 300, now + 5_000] });
    await ch.exchange(batch(3, 2));
    const [mixed, same] = server.lines.map((l) => takeDeadlineNote(l));
    const [short, long] = mixed!.callMs as number[];
    expect(short).toBeGreaterThan(200);
    expect(short).toBeLessThanOrEqual(300);
    expect(long).toBe(mixed!.askedMs);
    expect(same!.callMs).toBeUndefined();
    await ch.close();
  });

  it('fails the largest batch in flight with the RemoteError of a refusal, the rest as resets', async () => {
    const server = await scripted((socket, message) => {
      if (message.length > 5) {
        socket.end(
          `${JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'too big' } })}\n`,
        );
      }
    });
    const ch = channel(server.address);
    const small = ch.exchange(batch(1, 2));
    const large = ch.exchange(batch(3, 20));
    await expect(large).rejects.toMatchObject({ constructor: RemoteError, code: -32600, message: 'too big' });
    await expect(small).rejects.toMatchObject({ constructor: TransportError, kind: 'reset' });
    await ch.close();
  });

  it('fails batches in flight when the node drops the connection, and reconnects for the next', async () => {
    let drop = true;
    const server = await scripted((socket, message) => {
      if (drop) {
        drop = false;
        socket.destroy();
      } else answer(socket, message);
    });
    const ch = channel(server.address);
    const error = await ch.exchange(batch(1, 2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).kind).toBe('reset');
    expect(await ch.exchange(batch(3, 1))).toEqual([{ jsonrpc: '2.0', id: 3, result: 30 }]);
    await ch.close();
  });

  it('says refused when nothing listens, and timeout when the node stays silent past the deadline', async () => {
    const server = await scripted(() => undefined); // reads, never answers
    const closed = await scripted(() => undefined);
    closed.close();
    await expect(channel(closed.address).exchange(batch(1, 1))).rejects.toMatchObject({ kind: 'refused' });
    const ch = channel(server.address);
    const started = Date.now();
    await expect(ch.exchange(batch(1, 1, 100))).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000); // the node's deadline, then a grace
    await ch.close();
  });

  it('drops a connection whose reply is not JSON (server error) and refuses work after close', async () => {
    const server = await scripted((socket) => socket.write('not json\n'));
    const ch = channel(server.address);
    await expect(ch.exchange(batch(1, 1))).rejects.toMatchObject({
      constructor: TransportError,
      kind: 'server',
    });
    await ch.close();
    await expect(ch.exchange(batch(2, 1))).rejects.toMatchObject({ constructor: TransportError });
  });
});
