/**
 * Section 3: discovery under steady load (8 SDK callers, each pausing ~1 ms between calls, against
 * 2 standing nodes plus the node under test): registration → first call sent to a new node,
 * SIGTERM → last call sent to it, kill -9 → ejection and removal, and the calls that failed meanwhile.
 */

import { type NodeProcess, startNode } from '../../test/support/process.js';
import { type BenchContext, errorText, type SectionOutput, startNodes } from '../lib/context.js';
import { sleep } from '../lib/load.js';
import type { Table } from '../lib/report.js';
import { type Cluster, connect, type NodeStats } from '../lib/sdk.js';
import { median, round } from '../lib/stats.js';

/** DiscoveryRun is one run's figures in ms (NaN when not observed) and failed calls. */
export interface DiscoveryRun {
  registerToSeenMs: number;
  registerToFirstCallMs: number;
  termToRemovedMs: number;
  termToLastPickMs: number;
  termFailedCalls: number;
  killToEjectedMs: number;
  killToRemovedMs: number;
  killFailedCalls: number;
  error?: string;
}

/** DiscoveryData: the medians, the runs and the TTL used for the kill -9 node. */
export interface DiscoveryData {
  median: Omit<DiscoveryRun, 'error'>;
  runs: DiscoveryRun[];
  ttlSeconds: number;
  callers: number;
}

const CALLERS = 8;
const KILL_TTL = 3;

/** Load is the steady background load, recording when calls failed. */
class Load {
  readonly failures: { at: number; message: string }[] = [];
  calls = 0;
  #running = true;
  readonly #done: Promise<unknown>;

  constructor(cluster: Cluster) {
    this.#done = Promise.all(
      Array.from({ length: CALLERS }, async (_, c) => {
        for (let i = 0; this.#running; i++) {
          try {
            const r = await cluster.call('Arith.Multiply', { A: c, B: i });
            if (r !== c * i) throw new Error(`wrong result ${String(r)}`);
            this.calls++;
          } catch (error) {
            this.failures.push({ at: Date.now(), message: errorText(error) });
          }
          await sleep(1);
        }
      }),
    );
  }

  failedBetween(from: number, to: number): number {
    return this.failures.filter((f) => f.at >= from && f.at <= to).length;
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }
}

/** poll samples the node's client-side stats every ~1 ms until `done` says so or `timeoutMs` passes. */
async function poll(
  cluster: Cluster,
  id: string,
  done: (node: NodeStats | undefined, now: number) => boolean,
  timeoutMs: number,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const now = Date.now();
    if (
      done(
        cluster.stats().nodes.find((n) => n.id === id),
        now,
      )
    )
      return true;
    if (now > end) return false;
    await sleep(1);
  }
}

/** eventTimes records when the client learned that a node was added or removed. */
function eventTimes(cluster: Cluster): { added: Map<string, number>; removed: Map<string, number> } {
  const added = new Map<string, number>();
  const removed = new Map<string, number>();
  cluster.on('nodes', (change) => {
    const at = Date.now();
    if (change.type === 'added' && !added.has(change.node.id)) added.set(change.node.id, at);
    if (change.type === 'removed' && !removed.has(change.node.id)) removed.set(change.node.id, at);
  });
  return { added, removed };
}

function loggedTime(line: string): number {
  return Date.parse((JSON.parse(line) as { time: string }).time);
}

async function oneRun(
  ctx: BenchContext,
  cluster: Cluster,
  load: Load,
  events: ReturnType<typeof eventTimes>,
  namespace: string,
  run: number,
): Promise<DiscoveryRun> {
  const r: DiscoveryRun = {
    registerToSeenMs: Number.NaN,
    registerToFirstCallMs: Number.NaN,
    termToRemovedMs: Number.NaN,
    termToLastPickMs: Number.NaN,
    termFailedCalls: 0,
    killToEjectedMs: Number.NaN,
    killToRemovedMs: Number.NaN,
    killFailedCalls: 0,
  };
  const base = { etcd: ctx.etcd.endpoints, namespace, env: { LOG_LEVEL: 'info' } };
  let term: NodeProcess | undefined;
  let kill: NodeProcess | undefined;
  try {
    // Registration → first call.
    term = await startNode({ ...base, id: `disc-${run}-term` });
    const registeredAt = loggedTime(await term.waitFor('registered'));
    let firstCall = Number.NaN;
    await poll(
      cluster,
      term.id,
      (n, now) => {
        if ((n?.calls ?? 0) === 0) return false;
        firstCall = now;
        return true;
      },
      5000,
    );
    r.registerToFirstCallMs = firstCall - registeredAt;
    r.registerToSeenMs = (events.added.get(term.id) ?? Number.NaN) - registeredAt;
    await sleep(200);

    // SIGTERM → last pick, and failed calls until 300 ms after removal.
    let calls = cluster.stats().nodes.find((n) => n.id === term!.id)?.calls ?? 0;
    let lastPick = Number.NaN;
    const termAt = Date.now();
    term.child.kill('SIGTERM');
    await poll(
      cluster,
      term.id,
      (n, now) => {
        if (n && n.calls > calls) {
          calls = n.calls;
          lastPick = now;
        }
        return n === undefined;
      },
      10_000,
    );
    r.termToRemovedMs = (events.removed.get(term.id) ?? Number.NaN) - termAt;
    r.termToLastPickMs = Number.isNaN(lastPick) ? 0 : lastPick - termAt;
    await term.exited;
    await sleep(300);
    r.termFailedCalls = load.failedBetween(termAt, Date.now());

    // kill -9 → ejection → removal when the lease (TTL 3 s) runs out.
    kill = await startNode({ ...base, id: `disc-${run}-kill`, ttl: KILL_TTL });
    await poll(cluster, kill.id, (n) => (n?.calls ?? 0) > 0, 5000);
    await sleep(200);
    let ejectedAt = Number.NaN;
    const killAt = Date.now();
    kill.child.kill('SIGKILL');
    await poll(
      cluster,
      kill.id,
      (n, now) => {
        if (Number.isNaN(ejectedAt) && n && n.ejections > 0) ejectedAt = now;
        return n === undefined;
      },
      KILL_TTL * 3000,
    );
    r.killToEjectedMs = ejectedAt - killAt;
    r.killToRemovedMs = (events.removed.get(kill.id) ?? Number.NaN) - killAt;
    await sleep(300);
    r.killFailedCalls = load.failedBetween(killAt, Date.now());
  } catch (error) {
    r.error = errorText(error);
  } finally {
    await Promise.all([term?.stop('SIGKILL'), kill?.stop('SIGKILL')]);
  }
  ctx.progress(`discovery run ${run}/${ctx.opts.runs}: ${JSON.stringify(r)}`);
  return r;
}

export async function runDiscovery(ctx: BenchContext): Promise<SectionOutput<DiscoveryData>> {
  const namespace = `${ctx.main.namespace}-disc`;
  const standing = await startNodes(ctx.etcd, namespace, 2, [], 'disc-base');
  const cluster = await connect({ etcd: ctx.etcd.endpoints, namespace });
  const events = eventTimes(cluster);
  const runs: DiscoveryRun[] = [];
  let load: Load | undefined;
  try {
    await cluster.ready({ nodes: 2, timeoutMs: 10_000 });
    load = new Load(cluster);
    await sleep(300);
    for (let run = 1; run <= ctx.opts.runs; run++)
      runs.push(await oneRun(ctx, cluster, load, events, namespace, run));
  } finally {
    await load?.stop();
    await cluster.close();
    await Promise.all(standing.map((n) => n.stop('SIGTERM')));
  }
  const m = (f: (r: DiscoveryRun) => number): number => round(median(runs.map(f)), 1);
  const sum = (f: (r: DiscoveryRun) => number): number => runs.reduce((a, r) => a + f(r), 0);
  const med = {
    registerToSeenMs: m((r) => r.registerToSeenMs),
    registerToFirstCallMs: m((r) => r.registerToFirstCallMs),
    termToRemovedMs: m((r) => r.termToRemovedMs),
    termToLastPickMs: m((r) => r.termToLastPickMs),
    termFailedCalls: sum((r) => r.termFailedCalls),
    killToEjectedMs: m((r) => r.killToEjectedMs),
    killToRemovedMs: m((r) => r.killToRemovedMs),
    killFailedCalls: sum((r) => r.killFailedCalls),
  };
  const per = (f: (r: DiscoveryRun) => number): string =>
    runs.map((r) => (Number.isFinite(f(r)) ? String(round(f(r), 1)) : '–')).join(', ');
  const table: Table = {
    title: `3. Discovery under load (${CALLERS} SDK callers, 2 standing nodes), median of ${ctx.opts.runs}`,
    columns: ['event', 'median ms', 'runs (ms)', 'failed calls'],
    rows: [
      [
        'registered (node log) → client sees the node',
        med.registerToSeenMs,
        per((r) => r.registerToSeenMs),
        '',
      ],
      [
        'registered (node log) → first call sent to it',
        med.registerToFirstCallMs,
        per((r) => r.registerToFirstCallMs),
        '',
      ],
      ['SIGTERM → client drops the node', med.termToRemovedMs, per((r) => r.termToRemovedMs), ''],
      [
        'SIGTERM → last call sent to it',
        med.termToLastPickMs,
        per((r) => r.termToLastPickMs),
        med.termFailedCalls,
      ],
      ['kill -9 → node ejected', med.killToEjectedMs, per((r) => r.killToEjectedMs), med.killFailedCalls],
      [`kill -9 → dropped (lease TTL ${KILL_TTL} s)`, med.killToRemovedMs, per((r) => r.killToRemovedMs), ''],
    ],
    notes: [
      '"registered" is the pino time of the node\'s log line (ms resolution); client times are sampled every ~1 ms.',
      'The node logs "registered" after etcd acknowledged its put, so the client may see the node first (< 0 ms).',
      'Failed calls: every call that failed from the signal until 300 ms after the node was dropped, summed over runs (must be 0).',
      ...runs.filter((r) => r.error).map((r) => `error: ${r.error}`),
      ...(load && load.failures.length > 0 ? [`first failure: ${load.failures[0]!.message}`] : []),
    ],
  };
  return { tables: [table], data: { median: med, runs, ttlSeconds: KILL_TTL, callers: CALLERS } };
}
