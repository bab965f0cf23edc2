import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';

let node: NodeProcess;
let slow: NodeProcess;

beforeAll(async () => {
  [node, slow] = await Promise.all([
    startNode({ standalone: true }),
    startNode({ standalone: true, args: ['--delay-ms', '200'] }),
  ]);
});
afterAll(stopAllNodes);

interface Raw {
  status: number;
  type: string | null;
  text: string;
}

/** post sends a raw body to the node with fetch and returns status, content type and body text. */
async function post(body: string, base = node.http, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await fetch(`${base}/`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function rpc(
  method: string,
  params: unknown,
  id: number | string = 1,
): Promise<Record<string, unknown>> {
  const r = await post(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  expect(r.status).toBe(200);
  return JSON.parse(r.text) as Record<string, unknown>;
}

describe('arith-node over HTTP', () => {
  it('multiplies 7 × 8', async () => {
    expect(await rpc('Arith.Multiply', { A: 7, B: 8 })).toEqual({ jsonrpc: '2.0', id: 1, result: 56 });
  });

  it('multiplies beyond 2^53 exactly, answering a string', async () => {
    const r = await rpc('Arith.Multiply', { A: '9007199254740993', B: 3 }, 'big');
    expect(r).toEqual({ jsonrpc: '2.0', id: 'big', result: '27021597764222979' });
  });

  it('accepts all three param shapes', async () => {
    for (const params of [{ A: 6, B: 7 }, [{ A: 6, B: 7 }], [6, 7]]) {
      expect((await rpc('Arith.Multiply', params)).result).toBe(42);
    }
    expect((await rpc('Arith.Divide', [{ A: 17, B: 5 }])).result).toEqual({ Quo: 3, Rem: 2 });
  });

  it('answers a batch of 3 in one POST', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'Arith.Add', params: [2, 3] },
      { jsonrpc: '2.0', id: 2, method: 'Arith.Multiply', params: { A: 4, B: 5 } },
      { jsonrpc: '2.0', id: 3, method: 'Arith.Divide', params: [1, 0] },
    ];
    const r = await post(JSON.stringify(batch));
    expect(r.status).toBe(200);
    const list = JSON.parse(r.text) as Array<Record<string, unknown>>;
    expect(list).toHaveLength(3);
    const byId = new Map(list.map((x) => [x.id, x]));
    expect(byId.get(1)?.result).toBe(5);
    expect(byId.get(2)?.result).toBe(20);
    expect(byId.get(3)?.error).toEqual({ code: 1001, message: 'divide by zero' });
  });

  it('answers malformed JSON with HTTP 200 and a JSON -32700 body', async () => {
    for (const body of ['{"jsonrpc":"2.0",', 'not json', '']) {
      const r = await post(body);
      expect(r.status).toBe(200);
      expect(r.type).toMatch(/^application\/json/);
      expect(JSON.parse(r.text)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
    }
  });

  it('answers a JSON-RPC 1.0 request Go-style with an exact int64', async () => {
    const r = await post('{"method":"Arith.Multiply","params":[{"A":3037000499,"B":3037000499}],"id":4}');
    expect(r.text).toBe('{"id":4,"error":null,"result":9223372030926249001}');
  });

  it('answers a notification with 204 and no body', async () => {
    const r = await post(JSON.stringify({ jsonrpc: '2.0', method: 'Arith.Add', params: [1, 2] }));
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
  });

  it('serves /healthz and /readyz, 405 for another method, and 404 elsewhere, with JSON-RPC bodies', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`${node.http}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    }
    expect((await fetch(`${node.http}/nope`)).status).toBe(404);
    expect((await fetch(`${node.http}/nope`, { method: 'POST', body: '{}' })).status).toBe(404);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await fetch(`${node.http}/`, { method }); // another method on the RPC path
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    }
    const post = await fetch(`${node.http}/healthz`, { method: 'POST', body: '{}' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const missing = await fetch(`${node.http}/nope`);
    expect(await missing.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
  });

  it('reuses one keep-alive socket for many requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const one = (i: number) =>
      new Promise<{ port: number | undefined; body: Record<string, unknown> }>((resolve, reject) => {
        const body = JSON.stringify({ jsonrpc: '2.0', id: i, method: 'Arith.Multiply', params: [i, i + 1] });
        const req = http.request(
          `${node.http}/`,
          { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
          (res) => {
            const port = res.socket.localPort; // read now: the socket goes back to the agent at 'end'
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ port, body: JSON.parse(Buffer.concat(chunks).toString()) }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    try {
      const sequential: Array<number | undefined> = [];
      for (let i = 0; i < 20; i++) {
        const r = await one(i);
        expect(r.body).toEqual({ jsonrpc: '2.0', id: i, result: i * (i + 1) });
        sequential.push(r.port);
      }
      const queued = await Promise.all(Array.from({ length: 100 }, (_, i) => one(100 + i)));
      for (const [i, r] of queued.entries()) expect(r.body.result).toBe((100 + i) * (101 + i));
      const ports = new Set([...sequential, ...queued.map((r) => r.port)]);
      expect(ports.size).toBe(1);
      expect([...ports][0]).toBeTypeOf('number');
      const free = Object.values(agent.freeSockets).flat();
      expect(free).toHaveLength(1);
    } finally {
      agent.destroy();
    }
  });

  it('answers -32001 when the x-arith-deadline-ms header is shorter than the call', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'Arith.Add', params: [1, 2] });
    const started = Date.now();
    const late = await post(body, slow.http, { 'x-arith-deadline-ms': '50' });
    const elapsed = Date.now() - started;
    expect(JSON.parse(late.text)).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32001, message: 'deadline exceeded' },
    });
    expect(elapsed).toBeLessThan(190); // answered at the deadline, not after the 200 ms delay
    const ok = await post(body, slow.http, { 'x-arith-deadline-ms': '5000' });
    expect(JSON.parse(ok.text)).toEqual({ jsonrpc: '2.0', id: 7, result: 3 });
    expect(Date.now() - started - elapsed).toBeGreaterThanOrEqual(195);
  });
});
