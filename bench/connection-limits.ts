/**
 * Measures a node's connection limits against real processes (issue 11, finding 7); not a test:
 * `npm run build && npx tsx bench/connection-limits.ts` (raise `ulimit -n` to 65536 if you can).
 *
 * 1. 4,000 idle sockets (2,000 TCP, 2,000 HTTP, none ever sends) against `--idle-timeout 5000`:
 *    how long until all are closed, and the latency other clients see meanwhile.
 * 2. The same 4,000 against `--max-connections 1000`: how many are refused, and what the node counted.
 * 3. One TCP client pipelining 200,000 requests without reading: the node's peak RSS, other
 *    clients' latency meanwhile, and that every answer arrives once the client reads.
 */
import { readFileSync } from 'node:fs';
import { nodeMetric } from '../test/support/node-metrics.js';
import { type NodeProcess, startNode, stopAllNodes } from '../test/support/process.js';
import { httpPost, type RawSocket, rawSocket } from '../test/support/raw-socket.js';
import { LoadWorker } from './lib/socket-load.js';
import { percentile, round } from './lib/stats.js';

const IDLE = 4_000;

/** Prober calls the node over one TCP and one keep-alive HTTP connection in a loop, recording latency (ms). */
class Prober {
  readonly latencies: number[] = [];
  readonly failures: string[] = [];
  #running = true;
  readonly #loops: Promise<void>[];

  constructor(tcp: RawSocket, http: RawSocket) {
    this.#loops = [this.#loop(tcp, false), this.#loop(http, true)];
  }

  async #loop(conn: RawSocket, http: boolean): Promise<void> {
    for (let id = 1; this.#running; id++) {
      const body = `{"jsonrpc":"2.0","id":${id},"method":"Arith.Add","params":[${id},1]}`;
      const answer = `"id":${id},"result":${id + 1}}`;
      const started = performance.now();
      conn.socket.write(http ? httpPost(body) : `${body}\n`);
      try {
        await conn.read((t) => t.endsWith(http ? answer : `${answer}\n`));
      } catch (error) {
        this.failures.push(String(error));
        return;
      }
      this.latencies.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async stop(): Promise<{ calls: number; p50: number; p99: number; max: number; failures: string[] }> {
    this.#running = false;
    await Promise.all(this.#loops);
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      calls: sorted.length,
      p50: round(percentile(sorted, 0.5), 2),
      p99: round(percentile(sorted, 0.99), 2),
      max: round(sorted.at(-1) ?? 0, 2),
      failures: this.failures,
    };
  }
}

async function prober(node: NodeProcess): Promise<Prober> {
  return new Prober(await rawSocket(node.tcpPort), await rawSocket(node.httpPort));
}

const mb = (pid: number, field: string): number =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) /
  1024;

async function idleSockets(): Promise<unknown> {
  const node = await startNode({ standalone: true, args: ['--idle-timeout', '5000'] });
  const probes = await prober(node);
  const started = performance.now();
  const load = new LoadWorker('idle', { n: IDLE, tcpPort: node.tcpPort, httpPort: node.httpPort });
  const opened = (await load.next('opened')).at as number;
  const closed = await load.next('closed');
  const result = {
    idleSockets: IDLE,
    openMs: round(opened - started, 0),
    allClosedAfterLastOpenMs: round((closed.lastClosedAt as number) - opened, 0),
    probes: await probes.stop(),
  };
  await load.stop();
  await node.stop();
  return result;
}

async function maxConnections(): Promise<unknown> {
  const args = ['--max-connections', '1000', '--idle-timeout', '5000'];
  const node = await startNode({ standalone: true, args });
  const probes = await prober(node);
  const load = new LoadWorker('idle', { n: IDLE, tcpPort: node.tcpPort, httpPort: node.httpPort });
  // Refused sockets close at once with their refusal; admitted ones when the idle timeout reclaims them.
  const closed = await load.next('closed');
  const result = {
    attempted: IDLE,
    refusedSeen: closed.refused,
    counted: await nodeMetric(node.http, 'arith_rejected_requests_total', 'reason="max_connections"'),
    probes: await probes.stop(),
  };
  await load.stop();
  await node.stop();
  return result;
}

async function pipeliner(): Promise<unknown> {
  const n = 200_000;
  const node = await startNode({ standalone: true });
  const probes = await prober(node);
  const load = new LoadWorker('pipeline', { n, tcpPort: node.tcpPort });
  await load.next('written');
  let peakRss = 0;
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    peakRss = Math.max(peakRss, mb(node.pid, 'VmRSS'));
  }
  const paused = await nodeMetric(node.http, 'arith_tcp_paused_connections');
  const probeStats = await probes.stop();
  const resumed = performance.now();
  load.send();
  const answered = await load.next('answered');
  const result = {
    requests: n,
    pausedWhileUnread: paused,
    peakRssMb: round(peakRss, 1),
    vmHwmMb: round(mb(node.pid, 'VmHWM'), 1),
    answersAfterReading: answered.lines,
    catchUpMs: round(performance.now() - resumed, 0),
    probes: probeStats,
  };
  await load.stop();
  await node.stop();
  return result;
}

try {
  const results = {
    idle: await idleSockets(),
    maxConnections: await maxConnections(),
    pipeliner: await pipeliner(),
  };
  console.log(JSON.stringify(results, null, 2));
} finally {
  await stopAllNodes();
}
