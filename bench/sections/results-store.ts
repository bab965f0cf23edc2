/**
 * Section 4: results stored per second. One per transaction (`cluster.results.compute`, 16 callers)
 * against a raw etcd3 put-if-absent loop (one key per txn, 16 in flight); batched (`cluster.map`,
 * groups of 64, 16 in flight, via `measureResults` in bench/results.ts) against raw etcd3 loops of
 * 64 keys per txn, 16 in flight, each from a settled etcd (written keys deleted, history compacted,
 * backend defragmented) in rotating order. Own namespace and 3 nodes: measureResults deletes its
 * namespace.
 */
import type { Etcd3 } from 'etcd3';
import {
  type BenchContext,
  errorText,
  type SectionOutput,
  type Summary,
  startNodes,
  summarise,
} from '../lib/context.js';
import { childPidsNamed } from '../lib/cpu.js';
import { closedLoop, type LoadFigures, sleep } from '../lib/load.js';
import { addWindow, measuredWindow } from '../lib/profiling.js';
import type { Table } from '../lib/report.js';
import { type Cluster, connect } from '../lib/sdk.js';
import { median, ratio, round } from '../lib/stats.js';
import { type CpuPerOp, measureResults, type ResultsFigures } from '../results.js';

/** medianCpu is the per-process median over runs of each writer's CPU per result. */
function medianCpu(runs: ResultsFigures[]): Partial<Record<'map' | 'flat' | 'nested', CpuPerOp>> {
  const out: Partial<Record<'map' | 'flat' | 'nested', CpuPerOp>> = {};
  for (const w of ['map', 'flat', 'nested'] as const) {
    const got = runs.map((r) => r.cpu[w]).filter((c): c is CpuPerOp => c !== undefined);
    if (got.length === 0) continue;
    out[w] = {
      client: median(got.map((c) => c.client)),
      etcd: median(got.map((c) => c.etcd)),
      nodes: median(got.map((c) => c.nodes)),
    };
  }
  return out;
}

/** cpuText renders `client / etcd / nodes` µs (etcd `?` when it runs in a container). */
function cpuText(c: CpuPerOp | undefined): string {
  if (!c) return '–';
  const v = (x: number): string => (Number.isFinite(x) ? String(Math.round(x)) : '?');
  return `${v(c.client)} / ${v(c.etcd)} / ${v(c.nodes)} = ${v(c.client + c.etcd + c.nodes)}`;
}

/** INFLIGHT: transactions (or callers) in flight at once in every row, as in bench/results.ts. */
const INFLIGHT = 16;
const BATCH = 64;

/** ResultsData: per-transaction figures (results/s) and the batched figures from measureResults. */
export interface ResultsData {
  sdkOnePerTxn?: Summary;
  rawOnePerTxn?: Summary;
  batched: ResultsFigures[];
  batchedMedian?: {
    mapPerSec: number;
    rawFlatPerSec: number;
    rawNestedPerSec: number;
    verifyPerSec: number;
    cpu: Partial<Record<'map' | 'flat' | 'nested', CpuPerOp>>;
  };
  n: number;
  skipped?: string;
  errors: string[];
}

function recordValue(i: number): string {
  return JSON.stringify({
    v: 1,
    key: `k${i}`,
    method: 'Arith.Multiply',
    params: { A: i, B: 3 },
    result: i * 3,
    nodes: [],
    verify: 'one',
    storedAt: new Date().toISOString(),
  });
}

/** rawOnePerTxn: INFLIGHT loops of `if createRevision == 0 then put` with the etcd3 builder, one key each. */
function rawOnePerTxn(etcd: Etcd3, prefix: string, seconds: number): Promise<LoadFigures> {
  let next = 0;
  return closedLoop(INFLIGHT, seconds, async () => {
    const i = next++;
    const key = `${prefix}${i}`;
    const res = await etcd
      .if(key, 'Create', '==', 0)
      .then(etcd.put(key).value(recordValue(i)))
      .commit();
    if (!res.succeeded) throw new Error(`key ${key} existed`);
  });
}

function sdkOnePerTxn(cluster: Cluster, run: number, seconds: number): Promise<LoadFigures> {
  let next = 0;
  return closedLoop(INFLIGHT, seconds, async () => {
    const i = next++;
    const out = await cluster.results.compute(`bench-one/${run}/${i}`, 'Arith.Multiply', { A: i, B: 3 });
    if (!out.stored) throw new Error(`bench-one/${run}/${i} was not stored`);
  });
}

export async function runResults(ctx: BenchContext): Promise<SectionOutput<ResultsData>> {
  const data: ResultsData = { batched: [], n: 0, errors: [] };
  const probe = (c: Cluster): string | undefined => {
    const maybe = c as unknown as { results?: { compute?: unknown }; map?: unknown };
    return typeof maybe.results?.compute === 'function' && typeof maybe.map === 'function'
      ? undefined
      : 'skipped: results store not available';
  };
  const namespace = `${ctx.main.namespace}-results`;
  const nodes = await startNodes(ctx.etcd, namespace, 3, [], 'results');
  const cluster = await connect({ etcd: ctx.etcd.endpoints, namespace });
  const seconds = Math.max(1, ctx.opts.seconds * 0.75);
  // n: enough ops for the bulk job to run about `seconds` at ~20,000 results/s.
  data.n = Math.round(seconds * 20_000);
  const one: LoadFigures[] = [];
  const raw: LoadFigures[] = [];
  try {
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
    data.skipped = probe(cluster);
    if (data.skipped === undefined) {
      // Unmeasured warm-up, as in section 1: run 1 should not pay for the JIT (here and in the nodes).
      await measureResults(cluster, namespace, Math.min(data.n, 6_400));
      await sleep(500);
      await cluster.ready({ nodes: 3, timeoutMs: 20_000 });
      for (let run = 1; run <= ctx.opts.runs; run++) {
        try {
          const s = await measuredWindow('results:compute', () => sdkOnePerTxn(cluster, run, seconds));
          one.push(s);
          const r = await measuredWindow('results:raw-1', () =>
            rawOnePerTxn(cluster.etcd, `/${namespace}/raw-one/${run}/`, seconds),
          );
          raw.push(r);
          const b = await measuredWindow('results:batched', () =>
            measureResults(cluster, namespace, data.n, run - 1, {
              etcd: childPidsNamed('etcd'),
              nodes: nodes.map((x) => x.pid),
            }),
          );
          // The bulk job alone is `results:map`.
          addWindow('results:map', b.mapStartUs, b.mapStartUs + b.mapSeconds * 1e6);
          // measureResults deletes everything under /<namespace>/, node keys included: the nodes put
          // their keys back; the next run starts once the client has seen that and all 3 are live.
          await sleep(500);
          await cluster.ready({ nodes: 3, timeoutMs: 20_000 });
          data.batched.push(b);
          ctx.progress(
            `results run ${run}/${ctx.opts.runs}: compute ${s.callsPerSec}/s, raw-1 ${r.callsPerSec}/s, map ${b.mapPerSec}/s, raw-64 flat ${b.rawFlatPerSec}/s nested ${b.rawNestedPerSec}/s`,
          );
        } catch (error) {
          data.errors.push(errorText(error));
          ctx.progress(`results run ${run}/${ctx.opts.runs}: failed: ${errorText(error)}`);
        }
      }
    }
  } finally {
    await cluster.etcd
      .delete()
      .prefix(`/${namespace}/`)
      .exec()
      .catch(() => undefined);
    await cluster.close();
    await Promise.all(nodes.map((n) => n.stop('SIGTERM')));
  }
  if (one.length > 0) data.sdkOnePerTxn = summarise(one);
  if (raw.length > 0) data.rawOnePerTxn = summarise(raw);
  const b = data.batched;
  if (b.length > 0) {
    data.batchedMedian = {
      mapPerSec: Math.round(median(b.map((x) => x.mapPerSec))),
      rawFlatPerSec: Math.round(median(b.map((x) => x.rawFlatPerSec))),
      rawNestedPerSec: Math.round(median(b.map((x) => x.rawNestedPerSec))),
      verifyPerSec: Math.round(median(b.map((x) => x.verified / Math.max(0.001, x.verifySeconds)))),
      cpu: medianCpu(b),
    };
  }
  const bm = data.batchedMedian;
  const failed = b.reduce((a, x) => a + x.failed, 0);
  const mismatches = b.reduce((a, x) => a + x.mismatches, 0);
  const table: Table = {
    title: `4. Results stored per second (1 etcd member, ${INFLIGHT} in flight), median of ${ctx.opts.runs}`,
    columns: [
      'writer',
      'keys/txn',
      'results/s',
      '× raw, same batch',
      'p50 ms',
      'CPU µs/result: client / etcd / nodes',
      'errors',
      'note',
    ],
    rows: data.skipped
      ? [[data.skipped, undefined, undefined, undefined, undefined, undefined, undefined, '']]
      : [
          [
            'SDK results.compute (call + put-if-absent)',
            1,
            data.sdkOnePerTxn?.callsPerSec,
            ratio(data.sdkOnePerTxn?.callsPerSec, data.rawOnePerTxn?.callsPerSec),
            data.sdkOnePerTxn?.p50Ms,
            undefined,
            data.sdkOnePerTxn?.errors,
            data.sdkOnePerTxn?.firstError ?? '',
          ],
          [
            'raw etcd3: if(create == 0).then(put)',
            1,
            data.rawOnePerTxn?.callsPerSec,
            1,
            data.rawOnePerTxn?.p50Ms,
            undefined,
            data.rawOnePerTxn?.errors,
            '',
          ],
          [
            'SDK cluster.map (bulk job, verify one)',
            BATCH,
            bm?.mapPerSec,
            ratio(bm?.mapPerSec, bm?.rawNestedPerSec),
            undefined,
            cpuText(bm?.cpu.map),
            failed,
            `${data.n.toLocaleString('en-US')} ops per run; vs flat ×${ratio(bm?.mapPerSec, bm?.rawFlatPerSec)}`,
          ],
          [
            'raw etcd3 put-if-absent per key: a nested txn each',
            BATCH,
            bm?.rawNestedPerSec,
            1,
            undefined,
            cpuText(bm?.cpu.nested),
            0,
            '',
          ],
          [
            'raw etcd3 all-or-nothing: 64 compares, then 64 puts',
            BATCH,
            bm?.rawFlatPerSec,
            ratio(bm?.rawFlatPerSec, bm?.rawNestedPerSec),
            undefined,
            cpuText(bm?.cpu.flat),
            0,
            '',
          ],
          [
            'SDK results.verify (read back + recompute locally)',
            BATCH,
            bm?.verifyPerSec,
            undefined,
            undefined,
            undefined,
            mismatches,
            'records checked/s; errors = mismatches',
          ],
        ],
    notes: [
      'CPU µs/result: CPU time of the writing process (this one), of etcd and of the 3 nodes, per result stored (from /proc; etcd `?` when it runs in a container).',
      ...data.errors.map((e) => `error: ${e}`),
    ],
  };
  return { tables: [table], data: { ...data, n: round(data.n, 0) } };
}
