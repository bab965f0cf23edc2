/**
 * Section 5: memory. Node RSS of 3 fresh registered nodes just after start and idle (at rest for
 * IDLE_AFTER_MS, by when V8 has given back what loading the modules took), and under load (peak
 * RSS during, and RSS after, the throughput section; or a short SDK load when that section did not
 * run); client RSS with 100,000 pending calls, in a client process of its own (plain node, built SDK).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type BenchContext, errorText, type SectionOutput, startNodes } from '../lib/context.js';
import { closedLoop, sleep } from '../lib/load.js';
import { BENCH_DIR, type Rss, rssOf } from '../lib/procs.js';
import type { Table } from '../lib/report.js';
import { connect } from '../lib/sdk.js';
import { median, round } from '../lib/stats.js';

const run = promisify(execFile);

/**
 * IDLE_AFTER_MS: how long a node rests before its idle RSS is read. V8's memory reducer shrinks the
 * young generation (grown to 16 MB while modules load) after several seconds without allocation:
 * about 10 MB of RSS that a node at rest does not keep.
 */
const IDLE_AFTER_MS = 15_000;

/** PendingFigures are what `bench/clients/pending-calls.mjs` prints. */
export interface PendingFigures {
  calls: number;
  baselineRssMb: number;
  pendingRssMb: number;
  afterRssMb: number;
  bytesPerPendingCall: number;
  seconds: number;
  errors: number;
  wrong: number;
  peakRssMb?: number;
}

/** MemoryData: node RSS per node (MB) and the client figures per run. */
export interface MemoryData {
  /** nodeStartRssMb: RSS of each fresh node just after it registered. */
  nodeStartRssMb: number[];
  /** nodeIdleRssMb: RSS of the same nodes after IDLE_AFTER_MS at rest. */
  nodeIdleRssMb: number[];
  nodeLoadedRssMb: number[];
  nodePeakRssMb: number[];
  loadSource: string;
  client: PendingFigures | undefined;
  clientRuns: PendingFigures[];
  clientError?: string;
}

async function pendingCalls(ctx: BenchContext): Promise<PendingFigures> {
  const child = run(
    process.execPath,
    [
      '--expose-gc',
      `${BENCH_DIR}clients/pending-calls.mjs`,
      ctx.etcd.endpoints.join(','),
      ctx.main.namespace,
      String(ctx.opts.pending),
    ],
    { timeout: 120_000, maxBuffer: 1 << 20 },
  );
  // Sample the child's peak RSS (VmHWM) just before it exits.
  let peak = Number.NaN;
  const pid = child.child.pid;
  const timer = setInterval(() => {
    const r = pid === undefined ? undefined : rssOf(pid);
    if (r && Number.isFinite(r.peakMb)) peak = r.peakMb;
  }, 50);
  try {
    const { stdout } = await child;
    const f = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as PendingFigures;
    return { ...f, ...(Number.isFinite(peak) ? { peakRssMb: round(peak, 1) } : {}) };
  } finally {
    clearInterval(timer);
  }
}

export async function runMemory(ctx: BenchContext): Promise<SectionOutput<MemoryData>> {
  // Fresh nodes of their own (registered, never called): RSS at start, then at rest while the client
  // figures are measured meanwhile (they call the main nodes).
  const fresh = await startNodes(ctx.etcd, `${ctx.main.namespace}-mem`, 3, [], 'mem');
  const startedAt = Date.now();
  const startRss = fresh.map((n) => rssOf(n.pid));
  let loaded: Rss[] | undefined = ctx.main.loadedRss;
  let loadSource = 'after the throughput section';
  if (!loaded) {
    loadSource = `after ${ctx.opts.seconds} s of SDK load at 256 callers`;
    const cluster = await connect({ etcd: ctx.etcd.endpoints, namespace: ctx.main.namespace });
    await cluster.ready({ nodes: ctx.main.nodes.length, timeoutMs: 10_000 });
    await closedLoop(256, ctx.opts.seconds, async (c, i) => {
      await cluster.call('Arith.Multiply', { A: c, B: i });
    });
    await cluster.close();
    loaded = ctx.main.nodes.map((n) => rssOf(n.pid));
  }
  const clientRuns: PendingFigures[] = [];
  let clientError: string | undefined;
  for (let i = 1; i <= ctx.opts.runs; i++) {
    try {
      const f = await pendingCalls(ctx);
      clientRuns.push(f);
      ctx.progress(`memory run ${i}/${ctx.opts.runs}: ${JSON.stringify(f)}`);
    } catch (error) {
      clientError = errorText(error);
      ctx.progress(`memory run ${i}/${ctx.opts.runs}: failed: ${clientError}`);
    }
  }
  await sleep(Math.max(0, startedAt + IDLE_AFTER_MS - Date.now()));
  const idleRss = fresh.map((n) => rssOf(n.pid));
  await Promise.all(fresh.map((n) => n.stop('SIGTERM')));
  const m = (f: (p: PendingFigures) => number | undefined): number =>
    round(median(clientRuns.map((p) => f(p) ?? Number.NaN)), 1);
  const client: PendingFigures | undefined =
    clientRuns.length === 0
      ? undefined
      : {
          calls: ctx.opts.pending,
          baselineRssMb: m((p) => p.baselineRssMb),
          pendingRssMb: m((p) => p.pendingRssMb),
          afterRssMb: m((p) => p.afterRssMb),
          peakRssMb: m((p) => p.peakRssMb),
          bytesPerPendingCall: Math.round(median(clientRuns.map((p) => p.bytesPerPendingCall))),
          seconds: m((p) => p.seconds),
          errors: clientRuns.reduce((a, p) => a + p.errors, 0),
          wrong: clientRuns.reduce((a, p) => a + p.wrong, 0),
        };
  const data: MemoryData = {
    nodeStartRssMb: startRss.map((r) => round(r.rssMb, 1)),
    nodeIdleRssMb: idleRss.map((r) => round(r.rssMb, 1)),
    nodeLoadedRssMb: loaded.map((r) => round(r.rssMb, 1)),
    nodePeakRssMb: loaded.map((r) => round(r.peakMb, 1)),
    loadSource,
    client,
    clientRuns,
    ...(clientError ? { clientError } : {}),
  };
  const list = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(', ');
  const n = ctx.opts.pending.toLocaleString('en-US');
  const table: Table = {
    title: '5. Memory (RSS, MB)',
    columns: ['what', 'MB', 'detail'],
    rows: [
      [
        'node RSS just started (max of 3 fresh nodes, registered)',
        Math.max(...data.nodeStartRssMb),
        `per node: ${list(data.nodeStartRssMb)}`,
      ],
      [
        `node RSS idle (the same nodes, ${IDLE_AFTER_MS / 1000} s at rest)`,
        Math.max(...data.nodeIdleRssMb),
        `per node: ${list(data.nodeIdleRssMb)}`,
      ],
      [
        'node RSS peak under load (max of 3, VmHWM)',
        Math.max(...data.nodePeakRssMb),
        `per node: ${list(data.nodePeakRssMb)} (${loadSource})`,
      ],
      [
        'node RSS after load (max of 3)',
        Math.max(...data.nodeLoadedRssMb),
        `per node: ${list(data.nodeLoadedRssMb)}`,
      ],
      [
        'client RSS connected, idle',
        client?.baselineRssMb,
        'built SDK (dist/) in its own node process, after a warm-up',
      ],
      [
        `client RSS with ${n} pending calls`,
        client?.pendingRssMb,
        client
          ? `+${(client.pendingRssMb - client.baselineRssMb).toFixed(1)} MB, ${client.bytesPerPendingCall} B per pending call`
          : (clientError ?? ''),
      ],
      [
        'client peak RSS while they complete (VmHWM)',
        client?.peakRssMb,
        client ? `all ${n} done in ${client.seconds} s, ${client.errors} errors, ${client.wrong} wrong` : '',
      ],
      ['client RSS after they completed (after gc)', client?.afterRssMb, ''],
    ],
    notes: [`median of ${clientRuns.length} client run(s)`],
  };
  return { tables: [table], data };
}
