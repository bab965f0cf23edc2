import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';

const TEN_MB = 10 * 1024 * 1024;
type Json = Record<string, unknown>;
const JSON_HEADERS = { 'content-type': 'application/json' };
const parse = (line: string): Json => JSON.parse(line) as Json;
let node: NodeProcess;
let roomy: NodeProcess;

beforeAll(async () => {
  [node, roomy] = await Promise.all([
    startNode({ standalone: true }),
    startNode({ standalone: true, args: ['--max-body', '20000000'] }),
  ]);
});
afterAll(stopAllNodes);

async function post(body: string, base = node.http): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}/`, { method: 'POST', body, headers: JSON_HEADERS });
  return { status: res.status, json: (await res.json()) as Json };
}

/** calls is a JSON-RPC batch of `n` Arith.Add calls. */
const calls = (n: number, method = 'Arith.Add'): string =>
  JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i, method, params: [i, 1] })));

async function stillServes(): Promise<void> {
  expect((await post(calls(1, 'Arith.Multiply'))).json).toEqual([{ jsonrpc: '2.0', id: 0, result: 0 }]);
  const r = await post('{"jsonrpc":"2.0","id":"ok","method":"Arith.Multiply","params":[7,8]}');
  expect(r.json).toEqual({ jsonrpc: '2.0', id: 'ok', result: 56 });
}

/** Flood: what a client saw pushing an oversized body; `cutAt`: bytes written when answered or cut off. */
type Flood = { status?: number; body: string; written: number; cutAt?: number };

/** flood POSTs `body` in 64 KiB writes (with backpressure) until the node answers or closes the socket. */
function flood(body: Buffer, chunked: boolean): Promise<Flood> {
  return new Promise((resolve) => {
    const headers: http.OutgoingHttpHeaders = chunked ? {} : { 'content-length': body.length };
    const req = http.request({
      port: node.httpPort,
      host: '127.0.0.1',
      method: 'POST',
      headers,
      agent: false,
    });
    const out: Flood = { body: '', written: 0 };
    const done = (): void => {
      clearTimeout(timer);
      req.destroy();
      resolve(out);
    };
    const timer = setTimeout(done, 15_000);
    const stop = (): void => {
      out.cutAt ??= out.written;
    };
    req.on('response', (res) => {
      stop();
      out.status = res.statusCode;
      res.setEncoding('utf8').on('data', (s: string) => {
        out.body += s;
      });
      res.on('end', done).on('error', done);
    });
    req.on('error', stop).on('close', () => {
      stop();
      if (out.status === undefined) done();
    });
    const pump = (): void => {
      while (out.cutAt === undefined && out.written < body.length) {
        const from = out.written;
        out.written = Math.min(from + 64 * 1024, body.length);
        if (!req.write(body.subarray(from, out.written))) return void req.once('drain', pump);
      }
      if (out.cutAt === undefined) req.end();
    };
    pump();
  });
}

/**
 * expectRefused: the node answered 413 with a JSON-RPC error. It discards (never buffers) the rest of
 * an oversized body and answers when the body ends, so the client can read the 413 instead of a reset.
 */
function expectRefused(r: Flood, total: number): void {
  expect(r.written).toBe(total);
  expect(r.status).toBe(413);
  expect(JSON.parse(r.body)).toMatchObject({ id: null, error: { code: -32600, message: /body exceeds/ } });
}

/** tcp connects to the node's TCP port and collects what it answers. */
async function tcp(): Promise<{ socket: net.Socket; text: () => string; lines: () => Json[] }> {
  const socket = net.connect({ host: '127.0.0.1', port: node.tcpPort });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let text = '';
  socket.setEncoding('utf8').on('data', (s: string) => {
    text += s;
  });
  socket.on('error', () => {});
  return { socket, text: () => text, lines: () => text.split('\n').filter(Boolean).map(parse) };
}

/** until polls `done` every 20 ms for at most `ms`. */
async function until(done: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end; )
    await new Promise((r) => setTimeout(r, 20));
}

describe('arith-node limits (one standalone node)', () => {
  it('refuses a 10 MB body, with a content-length or chunked, without buffering it', async () => {
    expectRefused(await flood(Buffer.alloc(TEN_MB, 0x20), false), TEN_MB);
    expectRefused(await flood(Buffer.alloc(TEN_MB, 0x20), true), TEN_MB);
    await stillServes();
  });

  it('lets a standard HTTP client read the 413 for an oversized body, every time', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await flood(Buffer.alloc(TEN_MB, 0x20), false);
      expect(r.status).toBe(413);
    }
  });

  it('refuses a 100,000-element batch: by body size by default, -32600 at once when the body limit allows it', async () => {
    const batch = calls(100_000);
    expectRefused(await flood(Buffer.from(batch), false), batch.length);
    const started = Date.now();
    const big = await post(batch, roomy.http);
    const message = 'Invalid request: batch of 100000 calls exceeds the limit of 1000';
    expect(big).toEqual({
      status: 200,
      json: { jsonrpc: '2.0', id: null, error: { code: -32600, message } },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    const over = await post(calls(1001));
    expect(over.json).toMatchObject({
      id: null,
      error: { code: -32600, message: expect.stringMatching(/1001.*1000/) },
    });
    expect((await post(calls(1000))).json).toHaveLength(1000);
    await stillServes();
  });

  it('answers prototype-name methods with -32601', async () => {
    for (const method of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const r = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [1, 2] }));
      expect(r.json).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } });
    }
  });

  it('answers a 10 MB TCP line with one error line and closes only that connection', async () => {
    const keeper = await tcp();
    const bad = await tcp();
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (written < TEN_MB && !bad.socket.destroyed && !bad.text().includes('\n')) {
          written += chunk.length;
          if (!bad.socket.write(chunk)) return void bad.socket.once('drain', pump);
        }
        resolve();
      };
      bad.socket.on('close', resolve);
      pump();
    });
    // Whether the answer beats the last write depends on loopback socket buffers (several MB), so
    // this test checks the answer and the close; the RSS test below checks nothing was buffered.
    bad.socket.end('\n');
    await until(() => bad.socket.closed, 5_000);
    expect(bad.socket.closed).toBe(true);
    expect(bad.lines()).toEqual([
      {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32600, message: 'Invalid request: frame exceeds 1048576 bytes' },
      },
    ]);
    keeper.socket.write('{"jsonrpc":"2.0","id":1,"method":"Arith.Add","params":[2,3]}\n');
    await until(() => keeper.lines().length > 0, 5_000);
    expect(keeper.lines()).toEqual([{ jsonrpc: '2.0', id: 1, result: 5 }]);
    keeper.socket.destroy();
  });

  it('answers 1,000 malformed requests over HTTP and 1,000 malformed TCP lines with -32700 each', async () => {
    const answers: Array<{ status: number; json: Json }> = [];
    for (let round = 0; round < 10; round++) {
      const bodies = Array.from(
        { length: 100 },
        (_, i) => `{"jsonrpc":"2.0","id":${round * 100 + i},"method":`,
      );
      answers.push(...(await Promise.all(bodies.map((b) => post(b)))));
    }
    expect(answers).toHaveLength(1000);
    for (const a of answers)
      expect(a).toMatchObject({ status: 200, json: { id: null, error: { code: -32700 } } });
    const conn = await tcp();
    conn.socket.write(
      `${'{oops\n'.repeat(1000)}${JSON.stringify({ jsonrpc: '2.0', id: 'last', method: 'Arith.Add', params: [1, 1] })}\n`,
    );
    await until(() => conn.lines().length >= 1001, 5_000);
    conn.socket.destroy();
    const lines = conn.lines();
    expect(lines).toHaveLength(1001);
    expect(lines.filter((l) => (l.error as Json | undefined)?.code === -32700)).toHaveLength(1000);
    expect(lines.at(-1)).toEqual({ jsonrpc: '2.0', id: 'last', result: 2 });
    await stillServes();
  });

  it('keeps its RSS under 200 MB after all of the above', async () => {
    await stillServes();
    const mb = (pid: number, field: string): number =>
      Number(
        new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1],
      ) / 1024;
    const [rss, peak] = [mb(node.pid, 'VmRSS'), mb(node.pid, 'VmHWM')];
    console.log(
      `[limits] arith-node pid=${node.pid} VmRSS=${rss.toFixed(1)} MB peak VmHWM=${peak.toFixed(1)} MB; ` +
        `--max-body 20000000 node (took the 6.5 MB batch) VmHWM=${mb(roomy.pid, 'VmHWM').toFixed(1)} MB`,
    );
    expect(rss).toBeGreaterThan(10);
    expect(rss).toBeLessThan(200);
    expect(peak).toBeLessThan(200);
  });
});
