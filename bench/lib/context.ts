import type { EtcdHandle } from '../../test/support/etcd.js';
import { type NodeProcess, startNode } from '../../test/support/process.js';
import type { GoTools } from './go.js';
import type { LoadFigures } from './load.js';
import type { BenchOptions } from './options.js';
import type { Rss } from './procs.js';
import { profEnv, profiledRoles } from './profiling.js';
import type { Table } from './report.js';
import { median, round } from './stats.js';

/** MainCluster is the 3-node cluster the throughput and memory sections share. */
export interface MainCluster {
  namespace: string;
  nodes: NodeProcess[];
  /** loadedRss: each node's RSS and peak after the throughput section (undefined if it did not run). */
  loadedRss?: Rss[];
}

/** BenchContext is what every section gets. */
export interface BenchContext {
  opts: BenchOptions;
  etcd: EtcdHandle;
  go: GoTools | undefined;
  /** goSkipped: why the Go scenarios are skipped (Go absent or its build failed). */
  goSkipped: string | undefined;
  main: MainCluster;
  /** progress prints one progress line on stderr. */
  progress(message: string): void;
}

/** SectionOutput is a section's tables and its raw figures for results.json. */
export interface SectionOutput<D = unknown> {
  tables: Table[];
  data: D;
}

/** startNodes starts `n` arith-node processes registered under `namespace`, in parallel. */
export async function startNodes(
  etcd: EtcdHandle,
  namespace: string,
  n: number,
  args: string[] = [],
  prefix = namespace,
): Promise<NodeProcess[]> {
  const nodes = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      startNode({
        id: `${prefix}-${i}`,
        etcd: etcd.endpoints,
        namespace,
        args,
        env: { LOG_LEVEL: 'info', ...profEnv() },
      }),
    ),
  );
  for (const node of nodes) profiledRoles.set(node.pid, `arith-node ${node.id}`);
  return nodes;
}

/** Summary is the median over runs of each figure, with the runs themselves. */
export interface Summary extends LoadFigures {
  runs: number;
  /** errorRuns: runs that failed outright (their message in `error`). */
  error?: string;
  perRun: LoadFigures[];
}

/** summarise takes the median of every figure over the successful runs; errors are summed. */
export function summarise(perRun: LoadFigures[], failures: string[] = []): Summary {
  const m = (f: (x: LoadFigures) => number): number => median(perRun.map(f));
  const firstError = perRun.find((r) => r.firstError)?.firstError ?? failures[0];
  const optional = (
    name: 'callsPerRequest' | 'clientCpuPct' | 'serverCpuPct',
    f: (x: LoadFigures) => number | undefined,
    digits: number,
  ): Partial<LoadFigures> =>
    perRun.some((r) => f(r) !== undefined)
      ? {
          [name]: round(
            m((r) => f(r) ?? Number.NaN),
            digits,
          ),
        }
      : {};
  return {
    calls: Math.round(m((r) => r.calls)),
    seconds: round(m((r) => r.seconds)),
    callsPerSec: Math.round(m((r) => r.callsPerSec)),
    p50Ms: round(m((r) => r.p50Ms)),
    p99Ms: round(m((r) => r.p99Ms)),
    errors: perRun.reduce((a, r) => a + r.errors, 0),
    runs: perRun.length,
    ...optional('callsPerRequest', (r) => r.callsPerRequest, 1),
    ...optional('clientCpuPct', (r) => r.clientCpuPct, 0),
    ...optional('serverCpuPct', (r) => r.serverCpuPct, 0),
    ...(firstError === undefined ? {} : { firstError }),
    ...(failures.length > 0 ? { error: failures[0] } : {}),
    perRun,
  };
}

/** errorText shortens an error for a table cell. */
export function errorText(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error);
  return msg.split('\n')[0]!.slice(0, 160);
}
