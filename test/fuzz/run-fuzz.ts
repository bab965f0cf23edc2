/**
 * runFuzz: a bounded, seeded fuzz run against one real node process over one transport. After every
 * phase it asserts the process is alive, every answer was valid JSON-RPC with the right ids, a valid
 * call still gets the exact answer, nothing is left in flight, and RSS stays under a bound.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { nodeMetric } from '../support/node-metrics.js';
import { type NodeProcess, startNode } from '../support/process.js';
import { httpPeer, type RpcPeer, tcpPeer } from '../support/rpc-peer.js';
import { fuzzCases } from './cases.js';
import { check, expectation } from './oracle.js';

/** FuzzOptions: how long, over which transport, from which seed. */
export interface FuzzOptions {
  seconds: number;
  transport: 'http' | 'tcp';
  seed: number;
  /** concurrency: connections sending at once (default 4). */
  concurrency?: number;
  /** phaseCases: cases per phase, checked after each (default 200). */
  phaseCases?: number;
  /** maxRssMb: the RSS bound (default 200). */
  maxRssMb?: number;
  log?: (line: string) => void;
}

/** FuzzReport: what a run sent and saw; `failures` is empty when the node held. */
export interface FuzzReport {
  transport: 'http' | 'tcp';
  seed: number;
  phases: number;
  cases: number;
  bytes: number;
  notifications: number;
  maxRssMb: number;
  failures: string[];
}

const MAX_BODY = 1024 * 1024;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** runFuzz starts a standalone node, fuzzes it for about `seconds`, stops it and reports. */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const { transport, seed } = opts;
  const log = opts.log ?? (() => {});
  const node = await startNode({ standalone: true });
  const report: FuzzReport = {
    transport,
    seed,
    phases: 0,
    cases: 0,
    bytes: 0,
    notifications: 0,
    maxRssMb: 0,
    failures: [],
  };
  const fail = (what: string) => report.failures.length < 20 && report.failures.push(`seed ${seed} ${what}`);
  const open = (): Promise<RpcPeer> =>
    transport === 'http' ? Promise.resolve(httpPeer(node.http)) : tcpPeer(node.tcpPort);
  const peers = await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, open));
  log(
    `[fuzz] ${transport} seed=${seed} seconds=${opts.seconds} node pid=${node.pid} (replay: npm run fuzz -- --transport ${transport} --seed ${seed})`,
  );
  const until = Date.now() + opts.seconds * 1000;
  try {
    for (let phase = 0; Date.now() < until && report.failures.length === 0; phase++) {
      const cases = fuzzCases(seed + phase, opts.phaseCases ?? 200, transport);
      let next = 0;
      const worker = async (peer: RpcPeer): Promise<void> => {
        for (let i = next++; i < cases.length && report.failures.length === 0; i = next++) {
          const bytes = cases[i]!;
          const want = expectation(bytes, transport, MAX_BODY);
          const where = `phase ${phase} case ${i} (${bytes.length} bytes: ${JSON.stringify(bytes.toString('latin1').slice(0, 160))})`;
          try {
            const { text, status } = await peer.exchange(bytes, want.kind !== 'none', 15_000);
            const wantStatus = want.kind === 'none' ? 204 : bytes.length > MAX_BODY ? 413 : 200;
            const why =
              status !== undefined && status !== wantStatus
                ? `HTTP ${status} instead of ${wantStatus}`
                : check(want, text);
            if (why) fail(`${where}: ${why}`);
          } catch (error) {
            fail(`${where}: ${(error as Error).message}`);
          }
          report.cases++;
          report.bytes += bytes.length;
          if (want.kind === 'none') report.notifications++;
        }
      };
      await Promise.all(peers.map(worker));
      await afterPhase(
        node,
        peers[0]!,
        seed + phase,
        report,
        (w) => fail(`after phase ${phase}: ${w}`),
        opts.maxRssMb ?? 200,
      );
      report.phases++;
      log(
        `[fuzz] ${transport} phase ${phase}: ${report.cases} cases, ${(report.bytes / 1e6).toFixed(1)} MB, RSS ${report.maxRssMb.toFixed(0)} MB max`,
      );
    }
    const exited = node.stop('SIGTERM');
    const draining = JSON.parse(await node.waitFor('draining')) as { inflight: number };
    if (draining.inflight !== 0) fail(`SIGTERM found ${draining.inflight} requests in flight`);
    if ((await exited) !== 0) fail('node did not exit 0 on SIGTERM');
  } finally {
    for (const p of peers) p.close();
    if (node.child.exitCode === null) await node.stop('SIGKILL');
  }
  return report;
}

/** afterPhase: alive, healthy, exact, nothing in flight, no stray answer, RSS under the bound. */
async function afterPhase(
  node: NodeProcess,
  peer: RpcPeer,
  seed: number,
  report: FuzzReport,
  fail: (why: string) => void,
  maxRssMb: number,
) {
  if (node.child.exitCode !== null) return fail(`node exited with ${node.child.exitCode}`);
  const health = await fetch(`${node.http}/healthz`).catch(() => undefined);
  if (health?.status !== 200) return fail(`/healthz answered ${health?.status}`);
  const stray = await peer.exchange('{"jsonrpc":"2.0","method":"Arith.Add","params":[1,1]}', false);
  if (stray.text !== undefined) fail(`a stray answer arrived late: ${stray.text.slice(0, 200)}`);
  const big = fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n });
  const [a, b] = fc.sample(fc.tuple(big, big), { seed, numRuns: 1 })[0]!;
  const call = `{"jsonrpc":"2.0","id":"exact","method":"Arith.Multiply","params":["${a}","${b}"]}`;
  const { text } = await peer.exchange(call, true);
  const product = a * b;
  const want =
    product >= BigInt(Number.MIN_SAFE_INTEGER) && product <= BigInt(Number.MAX_SAFE_INTEGER)
      ? String(product)
      : `"${product}"`;
  if (text !== `{"jsonrpc":"2.0","id":"exact","result":${want}}`) fail(`${a} × ${b} answered ${text}`);
  const v1 = await peer.exchange(
    '{"method":"Arith.Add","params":[{"A":9007199254740993,"B":9007199254740993}],"id":18446744073709551615}',
    true,
  );
  if (v1.text !== '{"id":18446744073709551615,"error":null,"result":18014398509481986}')
    fail(`1.0 exact call answered ${v1.text}`);
  const inflight = await nodeMetric(node.http, 'arith_inflight_requests');
  if (inflight !== 0) fail(`${inflight} requests still in flight`);
  const rss = rssMb(node.pid);
  report.maxRssMb = Math.max(report.maxRssMb, rss);
  if (rss > maxRssMb) fail(`RSS ${rss.toFixed(0)} MB over ${maxRssMb} MB`);
}
