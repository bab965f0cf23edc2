/**
 * node-ping: a real node answers `rpc.ping` at once on TCP (ahead of the calls read with it) and
 * on HTTP, outside the dispatcher; anything that only looks like a ping is an ordinary request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pingRequest } from '../../src/protocol/ping.js';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';
import { rawSocket } from '../support/raw-socket.js';

let node: NodeProcess;
beforeAll(async () => {
  node = await startNode({ standalone: true });
});
afterAll(() => stopAllNodes());

const call = (id: number): string =>
  `{"jsonrpc":"2.0","id":${id},"method":"Arith.Multiply","params":{"A":${id},"B":3}}`;

describe('rpc.ping on a node', () => {
  it('TCP: answers pong first, ahead of the calls queued in front of it', async () => {
    const raw = await rawSocket(node.tcpPort);
    const calls = Array.from({ length: 300 }, (_, i) => call(i + 1));
    raw.socket.write(`${calls.join('\n')}\n${pingRequest('p1')}\n`);
    await raw.read((t) => t.split('\n').length > 301);
    const lines = raw.lines() as { id: unknown; result: unknown }[];
    expect(lines[0]).toEqual({ jsonrpc: '2.0', id: 'p1', result: 'pong' });
    expect(lines).toHaveLength(301);
    expect(lines.find((l) => l.id === 300)?.result).toBe(900);
    raw.socket.destroy();
  });

  it('HTTP: answers pong', async () => {
    const res = await fetch(node.http, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: pingRequest('p9'),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 'p9', result: 'pong' });
  });

  it('a ping without an id, or inside a batch, is not answered as one', async () => {
    const res = await fetch(node.http, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `[${pingRequest('p2')}]`,
    });
    const body = (await res.json()) as { id: unknown; error?: { code: number } }[];
    expect(body[0]?.id).toBe('p2');
    expect(body[0]?.error?.code).toBe(-32601); // method not found: batches go to the dispatcher
  });
});
