/**
 * An unexpected failure anywhere between parsing and writing is answered -32603 and the node
 * lives (issue 11, finding 1): failures are injected into real transports on real sockets.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ArithNode } from '../../src/node/arith-node.js';
import type { Dispatcher } from '../../src/node/dispatcher.js';
import { HttpTransport } from '../../src/node/http-transport.js';
import { TcpTransport } from '../../src/node/tcp-transport.js';
import { httpPeer, type RpcPeer, tcpPeer } from '../support/rpc-peer.js';

const CALL = '{"jsonrpc":"2.0","id":1,"method":"Arith.Add","params":[1,2]}';
const INTERNAL = { jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error' } };
const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;

type Answered = { response: unknown; exact: boolean };
/**
 * A dispatcher that fails in turn: throws, rejects, answers what cannot be written (with a promise
 * and synchronously, as the real one does without a delay), then works.
 */
const faults: Array<() => Answered | Promise<Answered>> = [
  () => {
    throw new Error('injected: handle threw');
  },
  () => Promise.reject(new Error('injected: handle rejected')),
  () => Promise.resolve({ response: cyclic, exact: false }),
  () => Promise.resolve({ response: cyclic, exact: true }),
  () => ({ response: cyclic, exact: false }),
  () => ({ response: cyclic, exact: true }),
  () => Promise.resolve({ response: { jsonrpc: '2.0', id: 1, result: 3 }, exact: false }),
];
function faultyDispatcher(): Dispatcher {
  let next = 0;
  return { handle: () => faults[next++ % faults.length]!() } as unknown as Dispatcher;
}

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

async function transportPeer(kind: 'http' | 'tcp'): Promise<{ peer: RpcPeer; inflight: () => number }> {
  const common = { host: '127.0.0.1', port: 0, dispatcher: faultyDispatcher(), requestTimeoutMs: 5_000 };
  if (kind === 'http') {
    const probes = { alive: () => true, ready: () => true };
    const t = new HttpTransport({ ...common, maxBodyBytes: 1 << 20, probes });
    const { port } = await t.listen();
    closers.push(() => t.close(100));
    return { peer: httpPeer(`http://127.0.0.1:${port}`), inflight: () => t.inflight };
  }
  const t = new TcpTransport({ ...common, maxFrameBytes: 1 << 20 });
  const { port } = await t.listen();
  const peer = await tcpPeer(port);
  closers.push(async () => {
    peer.close();
    await t.close(100);
  });
  return { peer, inflight: () => t.inflight };
}

describe.each(['http', 'tcp'] as const)('a %s transport whose dispatcher fails', (kind) => {
  it('answers -32603 for each injected failure, keeps serving, and leaks nothing in flight', async () => {
    const { peer, inflight } = await transportPeer(kind);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < faults.length - 1; i++) {
        const { text } = await peer.exchange(CALL, true);
        expect(JSON.parse(text ?? 'null')).toEqual(INTERNAL);
      }
      const { text } = await peer.exchange(CALL, true);
      expect(JSON.parse(text ?? 'null')).toEqual({ jsonrpc: '2.0', id: 1, result: 3 });
    }
    expect(inflight()).toBe(0);
  });
});

describe('an embedded ArithNode whose onCall observer throws', () => {
  it('answers -32603 over HTTP and TCP instead of crashing', async () => {
    const node = new ArithNode({
      nodeId: 'faulty-observer',
      onCall: () => {
        throw new Error('injected: observer threw');
      },
    });
    await node.start();
    closers.push(() => node.close());
    const tcp = await tcpPeer(Number(node.info.endpoints.tcp.split(':').pop()));
    closers.push(async () => tcp.close());
    for (const peer of [httpPeer(node.info.endpoints.http), tcp]) {
      const { text } = await peer.exchange(CALL, true);
      expect(JSON.parse(text ?? 'null')).toEqual({ ...INTERNAL, id: 1 });
      const batch = await peer.exchange(`[${CALL},${CALL.replace('"id":1', '"id":2')}]`, true);
      expect((JSON.parse(batch.text ?? 'null') as Array<{ id: number }>).map((r) => r.id)).toEqual([1, 2]);
    }
  });
});

describe.each(['http', 'tcp'] as const)('a %s transport whose observer throws', (kind) => {
  it('answers -32603 before dispatching, keeps serving, and the process lives', async () => {
    const dispatcher = { handle: () => ({ response: { jsonrpc: '2.0', id: 1, result: 3 }, exact: false }) };
    let throws = true;
    const observer = {
      onMessage: () => {
        if (throws) throw new Error('injected: observer threw');
      },
      onReject: () => {},
    };
    const common = { host: '127.0.0.1', port: 0, dispatcher, requestTimeoutMs: 5_000, observer };
    let peer: RpcPeer;
    if (kind === 'http') {
      const probes = { alive: () => true, ready: () => true };
      const t = new HttpTransport({ ...common, maxBodyBytes: 1 << 20, probes });
      const { port } = await t.listen();
      closers.push(() => t.close(100));
      peer = httpPeer(`http://127.0.0.1:${port}`);
    } else {
      const t = new TcpTransport({ ...common, maxFrameBytes: 1 << 20 });
      const { port } = await t.listen();
      const tcp = await tcpPeer(port);
      peer = tcp;
      closers.push(async () => {
        tcp.close();
        await t.close(100);
      });
    }
    const failed = await peer.exchange(CALL, true);
    expect(JSON.parse(failed.text ?? 'null')).toEqual(INTERNAL);
    throws = false;
    const ok = await peer.exchange(CALL, true);
    expect(JSON.parse(ok.text ?? 'null')).toEqual({ jsonrpc: '2.0', id: 1, result: 3 });
  });
});
