/**
 * Section 2: fan-out. Three nodes that each add 20 ms of latency (`--delay-ms 20`); one caller
 * measures `all` (every node at once), one `call`, and the three calls one after another; then 27
 * more such nodes join and `all` goes to the 30 (fan-out scale; skipped in `--quick`).
 */

import {
  type BenchContext,
  errorText,
  type SectionOutput,
  type Summary,
  startNodes,
  summarise,
} from '../lib/context.js';
import { closedLoop, type LoadFigures, type OnceFn } from '../lib/load.js';
import type { Table } from '../lib/report.js';
import { connect } from '../lib/sdk.js';

/** FanoutRow is one call pattern's latency, the median over runs. */
export interface FanoutRow extends Summary {
  id: 'one-call' | 'all' | 'sequential-3' | 'all-30';
  scenario: string;
}

/** DELAY_MS is the artificial latency of every node in this section. */
export const DELAY_MS = 20;

/** WIDE is the node count of the fan-out-scale pattern. */
export const WIDE = 30;

/** allOnce is one `all` call that must get `n` correct receipts. */
function allOnce(cluster: Awaited<ReturnType<typeof connect>>, n: number): OnceFn {
  return async (_c, i) => {
    const receipts = await cluster.all('Arith.Multiply', { A: i, B: 3 });
    const bad = receipts.filter((r) => !r.ok || r.result !== i * 3);
    if (receipts.length !== n || bad.length > 0) {
      const r = bad[0];
      throw new Error(
        `${receipts.length} receipts, ${bad.length} bad${r && !r.ok ? `: ${r.error.message}` : ''}`,
      );
    }
  };
}

export async function runFanout(ctx: BenchContext): Promise<SectionOutput<FanoutRow[]>> {
  const namespace = `${ctx.main.namespace}-fanout`;
  const delay = ['--delay-ms', String(DELAY_MS)];
  const nodes = await startNodes(ctx.etcd, namespace, 3, delay, 'fanout');
  const cluster = await connect({ etcd: ctx.etcd.endpoints, namespace });
  const rows: FanoutRow[] = [];
  try {
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
    const patterns: { id: FanoutRow['id']; label: string; once: OnceFn }[] = [
      {
        id: 'one-call',
        label: 'one call (call)',
        once: async (_c, i) => {
          if ((await cluster.call('Arith.Multiply', { A: i, B: 3 })) !== i * 3)
            throw new Error('wrong result');
        },
      },
      { id: 'all', label: 'all 3 nodes at once (all)', once: allOnce(cluster, 3) },
      {
        id: 'sequential-3',
        label: '3 calls one after another',
        once: async (_c, i) => {
          for (let k = 0; k < 3; k++) {
            if ((await cluster.call('Arith.Multiply', { A: i, B: k })) !== i * k)
              throw new Error('wrong result');
          }
        },
      },
    ];
    const perRun = new Map<string, LoadFigures[]>();
    const failures = new Map<string, string[]>();
    const measure = async (p: (typeof patterns)[number], run: number): Promise<void> => {
      try {
        await closedLoop(1, 0.1, p.once);
        const f = await closedLoop(1, Math.max(1, ctx.opts.seconds * 0.75), p.once);
        perRun.set(p.id, [...(perRun.get(p.id) ?? []), f]);
        ctx.progress(`fanout run ${run}/${ctx.opts.runs}: ${p.id}: p50 ${f.p50Ms} ms, ${f.errors} errors`);
      } catch (error) {
        failures.set(p.id, [...(failures.get(p.id) ?? []), errorText(error)]);
      }
    };
    for (let run = 1; run <= ctx.opts.runs; run++) for (const p of patterns) await measure(p, run);
    if (!ctx.opts.quick) {
      ctx.progress(`fanout: starting ${WIDE - nodes.length} more nodes for all-${WIDE}`);
      nodes.push(...(await startNodes(ctx.etcd, namespace, WIDE - nodes.length, delay, 'fanout-wide')));
      await cluster.ready({ nodes: WIDE, timeoutMs: 30_000 });
      const wide = {
        id: 'all-30' as const,
        label: `all ${WIDE} nodes at once (all)`,
        once: allOnce(cluster, WIDE),
      };
      patterns.push(wide);
      for (let run = 1; run <= ctx.opts.runs; run++) await measure(wide, run);
    }
    for (const p of patterns) {
      rows.push({ id: p.id, scenario: p.label, ...summarise(perRun.get(p.id) ?? [], failures.get(p.id)) });
    }
  } finally {
    await cluster.close();
    await Promise.all(nodes.map((n) => n.stop('SIGTERM')));
  }
  const one = rows.find((r) => r.id === 'one-call')?.p50Ms;
  const table: Table = {
    title: `2. Fan-out: 3 (then ${WIDE}) nodes with ${DELAY_MS} ms artificial latency each, 1 caller, median of ${ctx.opts.runs}`,
    columns: ['pattern', 'id', 'p50 ms', 'p99 ms', 'calls/s', '× one call (p50)', 'errors', 'note'],
    rows: rows.map((r) => [
      r.scenario,
      r.id,
      r.p50Ms,
      r.p99Ms,
      r.callsPerSec,
      one ? Math.round((r.p50Ms / one) * 100) / 100 : undefined,
      r.errors,
      r.error ?? (r.firstError ? `first error: ${r.firstError}` : ''),
    ]),
  };
  return { tables: [table], data: rows };
}
