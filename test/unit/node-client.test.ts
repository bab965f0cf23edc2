/**
 * NodeClient over its HTTP channel against a scripted local server (no arith node): concurrent
 * calls share one exchange, replies find their call by id in any order, a call the node left
 * unanswered fails alone, and transport failures (not application errors) count against the node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError, TransportError } from '../../src/client/errors.js';
import { NodeClient } from '../../src/client/node-client.js';
import { PendingCall } from '../../src/client/pending-call.js';
import type { NodeInfo } from '../../src/registry/types.js';
import {
  callsOf,
  type Handler,
  type RpcCall,
  resultOf,
  type ScriptedHttp,
  scriptedHttp,
  sendJson,
} from '../support/scripted-http.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** serve starts a scripted server and a NodeClient (HTTP, one connection) pointed at it. */
async function serve(handler: Handler, maxBatch = 128): Promise<{ server: ScriptedHttp; node: NodeClient }> {
  const server = await scriptedHttp(handler);
  cleanups.push(() => server.close());
  const info: NodeInfo = {
    v: 1,
    id: 'n1',
    endpoints: { http: server.url, tcp: '127.0.0.1:1' },
    methods: ['Arith.Multiply'],
    weight: 1,
    version: 'test',
    startedAt: new Date(0).toISOString(),
    pid: 1,
    hostname: 'test',
  };
  const node = new NodeClient(info, {
    transport: 'http',
    connections: 1,
    pipeline: 1,
    maxBatch,
    connectTimeoutMs: 2_000,
  });
  cleanups.push(() => node.close());
  return { server, node };
}

/** multiply answers each call `A * B`, in the order `order` puts the calls. */
const multiply =
  (order: (calls: RpcCall[]) => RpcCall[] = (c) => c): Handler =>
  ({ body, res }) => {
    const replies = order(callsOf(body)).map((c) => {
      const { A, B } = c.params as { A: number; B: number };
      return resultOf(c, A * B);
    });
    sendJson(res, Array.isArray(body) ? replies : replies[0]);
  };

/** call makes a PendingCall and the promise of its outcome. */
function call(A: number, B: number, deadlineMs = 5_000): { pending: PendingCall; outcome: Promise<unknown> } {
  let pending: PendingCall | undefined;
  const outcome = new Promise<unknown>((resolve, reject) => {
    pending = new PendingCall(
      'Arith.Multiply',
      { A, B },
      Date.now() + deadlineMs,
      deadlineMs,
      undefined,
      resolve,
      reject,
    );
  });
  return { pending: pending!, outcome };
}

const calls = (n: number) => Array.from({ length: n }, (_, i) => call(i + 1, 10));

describe('NodeClient', () => {
  it('sends calls submitted together as one JSON-RPC batch in one exchange', async () => {
    const { server, node } = await serve(multiply());
    const group = calls(5);
    node.submitAll(group.map((c) => c.pending));
    expect(await Promise.all(group.map((c) => c.outcome))).toEqual([10, 20, 30, 40, 50]);
    expect(server.received).toHaveLength(1);
    expect(callsOf(server.received[0]!.body).map((c) => c.params)).toEqual(
      [1, 2, 3, 4, 5].map((A) => ({ A, B: 10 })),
    );
    expect(node.stats()).toMatchObject({ calls: 5, inflight: 0, failures: 0 });
  });

  it('batches calls submitted in one tick while an exchange is in flight', async () => {
    const { server, node } = await serve(multiply());
    const group = calls(6);
    for (const c of group) node.submit(c.pending); // the first goes alone (idle node), the rest wait
    expect(await Promise.all(group.map((c) => c.outcome))).toEqual([10, 20, 30, 40, 50, 60]);
    expect(server.received.map((r) => callsOf(r.body).length)).toEqual([1, 5]);
    expect(Array.isArray(server.received[0]!.body)).toBe(false); // a lone call goes unwrapped
  });

  it('splits a group larger than maxBatch into batches of at most maxBatch', async () => {
    const { server, node } = await serve(multiply(), 2);
    const group = calls(5);
    node.submitAll(group.map((c) => c.pending));
    expect(await Promise.all(group.map((c) => c.outcome))).toEqual([10, 20, 30, 40, 50]);
    expect(server.received.map((r) => callsOf(r.body).length)).toEqual([2, 2, 1]);
  });

  it('routes replies to their calls by id, whatever order the node answers in', async () => {
    const { server, node } = await serve(multiply((c) => [...c].reverse()));
    const group = calls(4);
    node.submitAll(group.map((c) => c.pending));
    expect(await Promise.all(group.map((c) => c.outcome))).toEqual([10, 20, 30, 40]);
    const ids = callsOf(server.received[0]!.body).map((c) => c.id);
    expect(new Set(ids).size).toBe(4); // distinct ids, so routing by id is unambiguous
  });

  it('ignores a reply with an unknown id and fails only the call the node left unanswered', async () => {
    const { node } = await serve(({ body, res }) => {
      const [first, second, third] = callsOf(body);
      sendJson(res, [
        resultOf(first!, 'one'),
        resultOf({ ...second!, id: 99_999 }, 'stray'),
        resultOf(third!, 'three'),
      ]);
    });
    const group = calls(3);
    node.submitAll(group.map((c) => c.pending));
    const [a, b, c] = await Promise.allSettled(group.map((x) => x.outcome));
    expect(a).toEqual({ status: 'fulfilled', value: 'one' });
    expect(c).toEqual({ status: 'fulfilled', value: 'three' });
    expect(b!.status).toBe('rejected');
    const error = (b as PromiseRejectedResult).reason as TransportError;
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ nodeId: 'n1', kind: 'server' });
  });

  it('fails a call with the node’s JSON-RPC error and counts nothing against the node', async () => {
    const { node } = await serve(({ body, res }) => {
      const [c] = callsOf(body);
      sendJson(res, { jsonrpc: '2.0', id: c!.id, error: { code: 1001, message: 'divide by zero' } });
    });
    const { pending, outcome } = call(1, 0);
    node.submit(pending);
    const error = await outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ code: 1001, nodeId: 'n1', retryable: false });
    expect(node.stats()).toMatchObject({ failures: 0, state: 'closed', ejections: 0 });
  });

  it('fails every call of a batch the transport lost, counts it against the node, and ejects after a streak', async () => {
    const { node } = await serve(({ res }) => sendJson(res, { oops: true }, 503));
    for (let streak = 1; streak <= 3; streak++) {
      const group = calls(2);
      node.submitAll(group.map((c) => c.pending));
      const outcomes = await Promise.allSettled(group.map((c) => c.outcome));
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        expect((o as PromiseRejectedResult).reason).toBeInstanceOf(TransportError);
      }
      expect(node.failures).toBe(streak);
    }
    // Three consecutive `server` failures (the default threshold) eject the node.
    expect(node.available(performance.now())).toBe(false);
    expect(node.stats()).toMatchObject({ state: 'ejected', ejections: 1, inflight: 0 });
  });

  it('is ejected at once when its connection is refused', async () => {
    const { server, node } = await serve(multiply());
    await server.close();
    const { pending, outcome } = call(2, 3);
    node.submit(pending);
    await expect(outcome).rejects.toMatchObject({ constructor: TransportError, kind: 'refused' });
    expect(node.failures).toBe(1);
    expect(node.available(performance.now())).toBe(false);
  });
});
