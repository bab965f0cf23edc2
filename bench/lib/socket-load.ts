/**
 * Socket loads for bench/connection-limits.ts, run in a worker thread so that opening thousands
 * of sockets or writing 13 MB of requests never stalls the thread that measures other clients'
 * latency. The worker's code is plain JavaScript (an eval'd worker), told what to do by workerData.
 */
import { Worker } from 'node:worker_threads';

const IDLE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { n, tcpPort, httpPort } = workerData;
const results = [];
(async () => {
  for (let i = 0; i < n; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, n - i) }, (_, j) => new Promise((connected) => {
      const s = net.connect({ host: '127.0.0.1', port: (i + j) % 2 ? tcpPort : httpPort });
      const r = { text: '', closedAt: 0 };
      results.push(r);
      s.on('data', (d) => { r.text += d; });
      s.on('error', () => {});
      s.once('connect', connected);
      s.once('close', () => { r.closedAt = performance.now(); if (results.length === n && results.every((x) => x.closedAt)) done(); connected(); });
    })));
  }
  parentPort.postMessage({ type: 'opened', at: performance.now() });
})();
function done() {
  const openedAt = performance.now();
  parentPort.postMessage({ type: 'closed', at: openedAt, refused: results.filter((r) => r.text.includes('-32003')).length,
    lastClosedAt: Math.max(...results.map((r) => r.closedAt)) });
}
`;

const PIPELINE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { n, tcpPort } = workerData;
const s = net.connect({ host: '127.0.0.1', port: tcpPort });
s.pause();
let lines = 0;
let last = '';
s.once('connect', () => {
  let text = '';
  for (let id = 0; id < n; id++) text += '{"jsonrpc":"2.0","id":' + id + ',"method":"Arith.Add","params":[' + id + ',1]}\\n';
  s.write(text);
  parentPort.postMessage({ type: 'written' });
});
s.on('data', (d) => {
  const chunk = last + d.toString();
  const parts = chunk.split('\\n');
  last = parts.pop();
  lines += parts.length;
  if (lines >= n) { parentPort.postMessage({ type: 'answered', lines }); s.destroy(); }
});
parentPort.on('message', () => s.resume());
`;

/** LoadWorker runs one load in a worker thread and hands out its messages by type. */
export class LoadWorker {
  readonly #worker: Worker;
  readonly #messages: { type: string; [k: string]: unknown }[] = [];
  readonly #waiters: (() => void)[] = [];

  constructor(kind: 'idle' | 'pipeline', data: Record<string, number>) {
    this.#worker = new Worker(kind === 'idle' ? IDLE : PIPELINE, { eval: true, workerData: data });
    this.#worker.on('message', (m: { type: string }) => {
      this.#messages.push(m);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** next resolves with the worker's first message of `type`. */
  async next(type: string): Promise<Record<string, unknown>> {
    for (;;) {
      const m = this.#messages.find((x) => x.type === type);
      if (m) return m;
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  /** send posts a message to the worker (the pipeline load: start reading). */
  send(): void {
    this.#worker.postMessage('go');
  }

  /** stop terminates the worker thread. */
  async stop(): Promise<void> {
    await this.#worker.terminate();
  }
}
