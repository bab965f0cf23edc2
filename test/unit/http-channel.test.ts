/**
 * HttpChannel against a scripted local `node:http` server (no arith node): framing and headers,
 * which answers are a refusal (RemoteError) and which a transport failure (TransportError), and a
 * lone cancellable call aborting its own request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CANCELLED } from '../../src/client/attempt.js';
import { RemoteError, TransportError } from '../../src/client/errors.js';
import { PendingCall } from '../../src/client/pending-call.js';
import type { BatchRequest } from '../../src/client/transport/channel.js';
import { HttpChannel } from '../../src/client/transport/http-channel.js';
import { DEADLINE_HEADER } from '../../src/protocol/deadline.js';
import { REQUEST_ID_HEADER } from '../../src/protocol/request-id.js';
import { RPC_ERRORS } from '../../src/protocol/rpc-errors.js';
import { callsOf, type Handler, resultOf, scriptedHttp, sendJson } from '../support/scripted-http.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(handler: Handler) {
  const server = await scriptedHttp(handler);
  const channel = new HttpChannel({ nodeId: 'n1', url: server.url, connections: 2, connectTimeoutMs: 2_000 });
  cleanups.push(
    () => server.close(),
    () => channel.close(),
  );
  return { server, channel };
}

const encode = (id: number) =>
  `{"jsonrpc":"2.0","id":${id},"method":"Arith.Multiply","params":{"A":${id},"B":2}}`;

/** batch builds a BatchRequest of `count` calls from id 1; `lone` only when count is 1. */
function batch(count: number, lone?: PendingCall, deadlineMs = 5_000): BatchRequest {
  const calls = Array.from({ length: count }, (_, i) => encode(i + 1)).join(',');
  return { calls, count, firstId: 1, deadlineAt: Date.now() + deadlineMs, lone };
}

/** A pending call for a lone batch; `cancellable` as a hedge or fan-out would set it. */
function loneCall(cancellable: boolean): { call: PendingCall; outcome: Promise<unknown> } {
  let call: PendingCall | undefined;
  const outcome = new Promise<unknown>((resolve, reject) => {
    call = new PendingCall(
      'Arith.Multiply',
      { A: 1, B: 2 },
      Date.now() + 5_000,
      5_000,
      undefined,
      resolve,
      reject,
    );
  });
  call!.cancellable = cancellable;
  outcome.catch(() => undefined);
  return { call: call!, outcome };
}

const echo: Handler = ({ body, res }) => {
  const replies = callsOf(body).map((c) => resultOf(c, c.id * 2));
  sendJson(res, Array.isArray(body) ? replies : replies[0]);
};

describe('HttpChannel', () => {
  it('posts a batch as a JSON array with the deadline and a request id, and returns the replies', async () => {
    const { server, channel } = await serve(echo);
    const replies = await channel.exchange(batch(3, undefined, 800));
    expect(replies).toEqual([1, 2, 3].map((id) => ({ jsonrpc: '2.0', id, result: id * 2 })));
    const [got] = server.received;
    expect(Array.isArray(got!.body)).toBe(true);
    expect(got!.req.method).toBe('POST');
    const askedMs = Number(got!.headers[DEADLINE_HEADER]);
    expect(askedMs).toBeGreaterThan(0);
    expect(askedMs).toBeLessThanOrEqual(800);
    expect(got!.headers[REQUEST_ID_HEADER]).toEqual(expect.any(String));
  });

  it('posts a lone call unwrapped and returns its reply as a one-element list', async () => {
    const { server, channel } = await serve(echo);
    const { call } = loneCall(false);
    expect(await channel.exchange(batch(1, call))).toEqual([{ jsonrpc: '2.0', id: 1, result: 2 }]);
    expect(server.received[0]!.body).toMatchObject({ id: 1, method: 'Arith.Multiply' });
  });

  it('turns 413 into a RemoteError (the node refused the batch; nothing wrong with the node)', async () => {
    const { channel } = await serve(({ res }) => sendJson(res, { error: 'too large' }, 413));
    const error = await channel.exchange(batch(4)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ code: RPC_ERRORS.INVALID_REQUEST, nodeId: 'n1' });
    expect(error).not.toBeInstanceOf(TransportError);
  });

  it.each([500, 502, 503, 404])('turns HTTP %i into a TransportError of kind server', async (status) => {
    const { channel } = await serve(({ res }) => sendJson(res, { error: 'nope' }, status));
    const error = await channel.exchange(batch(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ kind: 'server', nodeId: 'n1' });
    expect((error as Error).message).toContain(String(status));
  });

  it('turns a 200 whose body is not JSON into a TransportError of kind server', async () => {
    const { channel } = await serve(({ res }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"jsonrpc":');
    });
    await expect(channel.exchange(batch(2))).rejects.toMatchObject({
      constructor: TransportError,
      kind: 'server',
    });
  });

  it('turns a dropped connection into a TransportError of kind reset', async () => {
    const { channel } = await serve(({ req }) => req.socket.destroy());
    await expect(channel.exchange(batch(2))).rejects.toMatchObject({
      constructor: TransportError,
      kind: 'reset',
    });
  });

  it('aborts the request of a lone cancellable call when the call is cancelled', async () => {
    let arrived: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (arrived = resolve));
    const { server, channel } = await serve(() => arrived()); // holds every request, never answers
    const { call, outcome } = loneCall(true);
    const exchange = channel.exchange(batch(1, call)).catch((e: unknown) => e);
    await held;
    const [got] = server.received;
    const closed = new Promise<void>((resolve) => got!.res.once('close', () => resolve()));
    call.fail(CANCELLED);
    await closed; // the server sees the client give the request up
    expect(got!.res.writableFinished).toBe(false); // closed before any answer was written
    const error = await exchange;
    expect(error).not.toBeInstanceOf(TransportError); // a cancel says nothing about the node
    await expect(outcome).rejects.toBe(CANCELLED);
    expect(call.onCancel).toBeUndefined(); // the channel let go of the call
  });

  it('keeps the request of a lone call that is not cancellable: failing the call aborts nothing', async () => {
    let arrived: (answer: () => void) => void = () => undefined;
    const held = new Promise<() => void>((resolve) => (arrived = resolve));
    const { channel } = await serve((got) => arrived(() => echo(got)));
    const { call, outcome } = loneCall(false);
    const exchange = channel.exchange(batch(1, call));
    const answer = await held;
    call.fail(CANCELLED); // settles the call; its request goes on, since nothing may abort it
    await expect(outcome).rejects.toBe(CANCELLED);
    answer();
    expect(await exchange).toEqual([{ jsonrpc: '2.0', id: 1, result: 2 }]);
  });
});
