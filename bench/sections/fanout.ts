/**
 * Section 2: fan-out. Three nodes that each add 20 ms of latency (`--delay-ms 20`); one caller
 * measures `all` (every node at once), one `call`, and the three calls one after another.
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
  id: 'one-call' | 'all' | 'sequential-3';
  scenario: string;
}

/** DELAY_MS is the artificial latency of every node in this section. */
export const DELAY_MS = 20;

export async function runFanout(ctx: BenchContext): Promise<SectionOutput<FanoutRow[]>> {
  const namespace = `${ctx.main.namespace}-fanout`;
  const nodes = await startNodes(ctx.etcd, namespace, 3, ['--delay-ms', String(DELAY_MS)], 'fanout');
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
      {
        id: 'all',
        label: 'all 3 nodes at once (all)',
        once: async (_c, i) => {
          const receipts = await cluster.all('Arith.Multiply', { A: i, B: 3 });
          const bad = receipts.filter((r) => !r.ok || r.result !== i * 3);
          if (receipts.length !== 3 || bad.length > 0) {
            const r = bad[0];
            throw new Error(
              `${receipts.length} receipts, ${bad.length} bad${r && !r.ok ? `: ${r.error.message}` : ''}`,
            );
          }
        },
      },
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
    for (let run = 1; run <= ctx.opts.runs; run++) {
      for (const p of patterns) {
        try {
          await closedLoop(1, 0.1, p.once);
          const f = await closedLoop(1, Math.max(1, ctx.opts.seconds * 0.75), p.once);
          perRun.set(p.id, [...(perRun.get(p.id) ?? []), f]);
          ctx.progress(`fanout run ${run}/${ctx.opts.runs}: ${p.id}: p50 ${f.p50Ms} ms, ${f.errors} errors`);
        } catch (error) {
          failures.set(p.id, [...(failures.get(p.id) ?? []), errorText(error)]);
        }
      }
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
    title: `2. Fan-out: 3 nodes with ${DELAY_MS} ms artificial latency each, 1 caller, median of ${ctx.opts.runs}`,
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
