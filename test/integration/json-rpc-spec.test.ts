/**
 * Section 7 of the JSON-RPC 2.0 specification as tests: every example, compared exactly (ids, codes,
 * which elements are answered, nothing for notifications): through the dispatcher, over in-process
 * HTTP and TCP transports serving the spec's methods, and over HTTP and TCP to a real node process
 * with the examples mapped onto Arith methods.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/node/dispatcher.js';
import { HttpTransport } from '../../src/node/http-transport.js';
import { TcpTransport } from '../../src/node/tcp-transport.js';
import { parseMessage, serializeResponse } from '../../src/protocol/wire.js';
import {
  SPEC_EXAMPLES,
  SPEC_METHODS,
  type SpecExample,
  toArith,
  withoutMessages,
} from '../support/json-rpc-spec-examples.js';
import { startNode, stopAllNodes } from '../support/process.js';
import { httpPeer, type RpcPeer, tcpPeer } from '../support/rpc-peer.js';

const dispatcher = new Dispatcher({ methods: SPEC_METHODS });
const peers = new Map<string, RpcPeer>();
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  const common = { host: '127.0.0.1', port: 0, dispatcher, requestTimeoutMs: 5_000 };
  const probes = { alive: () => true, ready: () => true };
  const http = new HttpTransport({ ...common, maxBodyBytes: 1 << 20, probes });
  const tcp = new TcpTransport({ ...common, maxFrameBytes: 1 << 20 });
  const [h, t] = await Promise.all([http.listen(), tcp.listen()]);
  closers.push(
    () => http.close(100),
    () => tcp.close(100),
  );
  peers.set('spec-http', httpPeer(`http://127.0.0.1:${h.port}`));
  peers.set('spec-tcp', await tcpPeer(t.port));
  const node = await startNode({ standalone: true });
  peers.set('node-http', httpPeer(node.http));
  peers.set('node-tcp', await tcpPeer(node.tcpPort));
});
afterAll(async () => {
  for (const p of peers.values()) p.close();
  await Promise.all(closers.map((c) => c()));
  await stopAllNodes();
});

/** oneLine: TCP frames are lines, so the examples' pretty-printed batches are sent on one line. */
const oneLine = (text: string) => text.replaceAll('\n', ' ');

describe('JSON-RPC 2.0 specification, section 7, through the dispatcher', () => {
  it.each(SPEC_EXAMPLES)('$name', async ({ request, response }) => {
    const parsed = parseMessage(request);
    const got = parsed.ok
      ? (await dispatcher.handle(parsed.message, { deadline: Date.now() + 5_000 })).response
      : parsed.response;
    expect(got === undefined ? undefined : withoutMessages(JSON.parse(serializeResponse(got, true)))).toEqual(
      response,
    );
  });
});

describe.each(['spec-http', 'spec-tcp', 'node-http', 'node-tcp'])(
  'JSON-RPC 2.0 specification, section 7, over %s',
  (name) => {
    const examples = name.startsWith('node') ? SPEC_EXAMPLES.map(toArith) : SPEC_EXAMPLES;
    it.each(examples)('$name', async ({ request, response }: SpecExample) => {
      const peer = peers.get(name)!;
      const { text, status } = await peer.exchange(oneLine(request), response !== undefined);
      if (peer.transport === 'http') expect(status).toBe(response === undefined ? 204 : 200);
      expect(text === undefined ? undefined : withoutMessages(JSON.parse(text))).toEqual(response);
    });
  },
);
