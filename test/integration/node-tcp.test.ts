import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LineClient } from '../support/line-client.js';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';

let node: NodeProcess;
const clients: LineClient[] = [];
const open = async (): Promise<LineClient> => {
  const c = await LineClient.connect(node.tcpPort);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  node = await startNode({ standalone: true });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.socket.destroy();
});
afterAll(stopAllNodes);

const req = (id: number | string, method: string, params: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe('arith-node over TCP (newline-delimited JSON-RPC)', () => {
  it('answers 500 requests pipelined in one write, each with its own id and result', async () => {
    const c = await open();
    const n = 500;
    const payload = Array.from({ length: n }, (_, i) => `${req(i, 'Arith.Multiply', { A: i, B: i + 3 })}\n`);
    c.socket.write(payload.join(''));
    const responses = await c.json(n);
    const seen = new Set<unknown>();
    for (const r of responses) {
      const id = r.id as number;
      expect(r).toEqual({ jsonrpc: '2.0', id, result: id * (id + 3) });
      seen.add(id);
    }
    expect(seen.size).toBe(n);
    await sleep(50);
    expect(c.lines).toEqual([]); // nothing extra
  });

  it('answers a JSON-RPC 1.0 request (no jsonrpc member) Go-style', async () => {
    const c = await open();
    c.socket.write('{"method":"Arith.Multiply","params":[{"A":3037000499,"B":3037000499}],"id":0}\n');
    expect(await c.take(1)).toEqual(['{"id":0,"error":null,"result":9223372030926249001}']);
    c.socket.write('{"method":"Arith.Divide","params":[{"A":17,"B":5}],"id":1}\n');
    c.socket.write('{"method":"Arith.Divide","params":[{"A":17,"B":0}],"id":2}\n');
    const byId = new Map((await c.json(2)).map((r) => [r.id, r]));
    expect(byId.get(1)).toEqual({ id: 1, error: null, result: { Quo: 3, Rem: 2 } });
    expect(byId.get(2)).toMatchObject({ id: 2, error: 'divide by zero' });
    expect(byId.get(2)?.result ?? null).toBeNull();
  });

  it('answers a malformed line with -32700 and keeps serving the connection', async () => {
    const c = await open();
    c.socket.write('{"jsonrpc":"2.0","id":1,\n');
    const [bad] = await c.json(1);
    expect(bad).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    c.socket.write(`${req(2, 'Arith.Add', [40, 2])}\n`);
    expect(await c.json(1)).toEqual([{ jsonrpc: '2.0', id: 2, result: 42 }]);
    expect(c.closed).toBe(false);
  });

  it('joins a line split across two writes', async () => {
    const c = await open();
    const line = `${req('split', 'Arith.Multiply', { A: '9007199254740993', B: 3 })}\r\n`;
    c.socket.write(line.slice(0, 17));
    await sleep(30);
    expect(c.lines).toEqual([]);
    c.socket.write(line.slice(17));
    expect(await c.json(1)).toEqual([{ jsonrpc: '2.0', id: 'split', result: '27021597764222979' }]);
  });

  it('answers a batch on one line, skips blank lines and owes nothing for notifications', async () => {
    const c = await open();
    const batch = JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'Arith.Add', params: [1, 2] },
      { jsonrpc: '2.0', method: 'Arith.Add', params: [1, 2] },
      { jsonrpc: '2.0', id: 2, method: 'Nope', params: [] },
    ]);
    c.socket.write(
      `\n\n${JSON.stringify({ jsonrpc: '2.0', method: 'Arith.Add', params: [1, 2] })}\n${batch}\n`,
    );
    const [list] = (await c.take(1)).map((l) => JSON.parse(l) as Array<Record<string, unknown>>);
    expect(list).toEqual([
      { jsonrpc: '2.0', id: 1, result: 3 },
      { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found' } },
    ]);
    await sleep(50);
    expect(c.lines).toEqual([]);
  });
});
