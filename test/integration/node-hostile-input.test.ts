/**
 * Hostile input, over HTTP and over TCP, against real node processes (issue 11, findings 1–6):
 * nothing a client sends can crash the node, leave a request unanswered, lose an id, or make the
 * node echo a huge input back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeMetric } from '../support/node-metrics.js';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';
import { httpPeer, type RpcPeer, tcpPeer } from '../support/rpc-peer.js';

type Json = Record<string, unknown>;
const TRANSPORTS = ['http', 'tcp'] as const;

let node: NodeProcess;
const peers: RpcPeer[] = [];
beforeAll(async () => {
  node = await startNode({ standalone: true });
});
afterAll(async () => {
  for (const p of peers) p.close();
  await stopAllNodes();
});

async function peer(transport: 'http' | 'tcp', on = node): Promise<RpcPeer> {
  const p = transport === 'http' ? httpPeer(on.http) : await tcpPeer(on.tcpPort);
  peers.push(p);
  return p;
}

/** answer sends a message that is owed an answer and returns the answer's exact text. */
async function answer(p: RpcPeer, message: string): Promise<string> {
  const { text } = await p.exchange(message, true);
  expect(text, `no answer to ${message.slice(0, 120)}`).toBeDefined();
  return text ?? '';
}

const nest = (open: string, inner: string, close: string, depth: number): string =>
  open.repeat(depth) + inner + close.repeat(depth);
const VALID = '{"jsonrpc":"2.0","id":"ok","method":"Arith.Multiply","params":[7,8]}';

async function stillServes(p: RpcPeer): Promise<void> {
  expect(JSON.parse(await answer(p, VALID))).toEqual({ jsonrpc: '2.0', id: 'ok', result: 56 });
  expect(node.child.exitCode).toBeNull();
}

describe.each(TRANSPORTS)('arith-node under hostile input over %s', (transport) => {
  it('refuses ids, params and batches nested thousands deep with -32600 and lives (finding 1)', async () => {
    const p = await peer(transport);
    const messages = [
      `{"method":"Arith.Add","params":[1,2],"id":${nest('[', '', ']', 2_300)}}`, // the 4.6 KB killer
      `{"method":"Arith.Add","params":[1,2],"id":${nest('{"a":', '1', '}', 20_000)}}`,
      `{"jsonrpc":"2.0","id":1,"method":"Arith.Add","params":${nest('[', '1', ']', 5_000)}}`,
      nest('[', VALID, ']', 3_000),
    ];
    for (const m of messages) {
      expect(JSON.parse(await answer(p, m))).toMatchObject({ id: null, error: { code: -32600 } });
    }
    await stillServes(p);
  });

  it('answers each array inside a batch with its own -32600, id null (finding 2)', async () => {
    const p = await peer(transport);
    const invalid = { jsonrpc: '2.0', id: null, error: { code: -32600 } };
    expect(JSON.parse(await answer(p, '[[]]'))).toMatchObject([invalid]);
    expect(JSON.parse(await answer(p, '[[1]]'))).toMatchObject([invalid]);
    const mixed = JSON.parse(await answer(p, `[[1],${VALID},[]]`)) as Json[];
    expect(mixed).toHaveLength(3);
    expect(mixed).toMatchObject([invalid, { id: 'ok', result: 56 }, invalid]);
    await stillServes(p);
  });

  it('answers "id": null, which is not a notification (finding 3)', async () => {
    const p = await peer(transport);
    const text = await answer(p, '{"jsonrpc":"2.0","id":null,"method":"Arith.Add","params":[1,2]}');
    expect(JSON.parse(text)).toEqual({ jsonrpc: '2.0', id: null, result: 3 });
    const batch = await answer(p, '[{"jsonrpc":"2.0","id":null,"method":"Arith.Add","params":[2,2]}]');
    expect(JSON.parse(batch)).toEqual([{ jsonrpc: '2.0', id: null, result: 4 }]);
  });

  it('keeps the id of a JSON-RPC 1.0 request and gives the reason (finding 4)', async () => {
    const p = await peer(transport);
    const named = await answer(p, '{"method":"Arith.Multiply","params":{"A":7,"B":8},"id":1}');
    expect(named).toBe('{"id":1,"error":null,"result":56}');
    const bad = JSON.parse(await answer(p, '{"method":5,"params":[{"A":7,"B":8}],"id":2}')) as Json;
    expect(bad).toEqual({ id: 2, error: expect.stringMatching(/^Invalid request: method/), result: null });
    const params = JSON.parse(await answer(p, '{"method":"Arith.Add","params":"x","id":"s"}')) as Json;
    expect(params).toMatchObject({ id: 's', error: expect.stringContaining('params'), result: null });
  });

  it('echoes the exact text of numeric ids no double holds (finding 5)', async () => {
    const p = await peer(transport);
    for (const id of ['18446744073709551616', '-18446744073709551616', '1e400', '-1E+999', '-0']) {
      for (const head of ['"jsonrpc":"2.0",', '']) {
        const text = await answer(p, `{${head}"id":${id},"method":"Arith.Add","params":[{"A":1,"B":2}]}`);
        expect(text).toContain(`"id":${id},`);
        expect(text).toMatch(/"result":3\b/);
      }
    }
  });

  it('quotes at most a short prefix of a huge number param (finding 6)', async () => {
    const p = await peer(transport);
    const digits = '9'.repeat(999_900);
    for (const m of [
      `{"jsonrpc":"2.0","id":6,"method":"Arith.Add","params":[${digits},1]}`,
      `{"method":"Arith.Add","params":[{"A":${digits},"B":1}],"id":7}`,
      `{"jsonrpc":"2.0","id":8,"method":"Arith.Add","params":[${digits.slice(0, 19_000)},1]}`,
      `{"jsonrpc":"2.0","id":9,"method":"Arith.Add","params":["${digits}",1]}`,
    ]) {
      const text = await answer(p, m);
      expect(text.length).toBeLessThan(300);
      expect(JSON.parse(text)).toHaveProperty('error');
    }
  });
});

describe('arith-node under a hostile TCP deadline note', () => {
  it('answers a note whose ms no number converts from, and lives', async () => {
    const p = await peer('tcp');
    const ms = '{"valueOf":1,"toString":1}'; // Number() of it throws a TypeError
    for (const params of [`[${ms}]`, `[5000,[${ms}]]`, `[[${ms}]]`]) {
      const note = `{"jsonrpc":"2.0","method":"rpc.deadline","params":${params}}`;
      const text = await answer(p, `[${note},${VALID}]`);
      expect(JSON.parse(text)).toEqual([{ jsonrpc: '2.0', id: 'ok', result: 56 }]);
    }
    await stillServes(p);
  });
});

describe('arith-node requests in flight', () => {
  it('never leaks the in-flight gauge, and SIGTERM finds nothing to drain (finding 2)', async () => {
    const own = await startNode({ standalone: true });
    for (const transport of TRANSPORTS) {
      const p = await peer(transport, own);
      for (const m of ['[[]]', '[[1]]', `[[1],${VALID}]`, '[1,[2],{"a":[3]}]']) await answer(p, m);
    }
    expect(await nodeMetric(own.http, 'arith_inflight_requests')).toBe(0);
    expect(await nodeMetric(own.http, 'arith_rejected_requests_total', 'reason="invalid_request"')).toBe(12);
    const exited = own.stop('SIGTERM');
    const draining = JSON.parse(await own.waitFor('draining')) as { inflight: number };
    expect(draining.inflight).toBe(0);
    expect(await exited).toBe(0);
  });
});
