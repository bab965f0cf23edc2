/**
 * Results store throughput: a bulk job of n `Arith.Multiply` (verify 'one') over 3 local nodes and
 * one etcd member, then `results.verify` on that job; for comparison, raw etcd3 put-if-absent loops
 * with the same batch size (64 keys per txn, 16 txns in flight): flat (64 compares, all-or-nothing)
 * and nested (one sub-txn per key, as the SDK writes).
 * Usage: npx tsx bench/results.ts [n=100000]
 */
import { pathToFileURL } from 'node:url';
import type { Etcd3, IRequestOp } from 'etcd3';
import { startEtcd } from '../test/support/etcd.js';
import { startNode, stopAllNodes } from '../test/support/process.js';
import { cpuTicks } from './lib/cpu.js';
import { monotonicUs } from './lib/profiling.js';
import { type Cluster, connect, deriveKey } from './lib/sdk.js';

const BATCH = 64;

/** RawOp is one result the raw loops write: its key (the SDK's) and operands. */
interface RawOp {
  key: string;
  A: number;
  B: number;
}
const INFLIGHT = 16;

/**
 * rawLoop writes the results of `ops` with put-if-absent txns of BATCH keys, INFLIGHT at once: the
 * same keys (the SDK's, derived from each op, under `prefix`) and records of the same shape and
 * size as the bulk job stores, so that etcd does the same work for both; only the writer differs.
 */
async function rawLoop(etcd: Etcd3, prefix: string, ops: RawOp[], nested: boolean): Promise<number> {
  const n = ops.length;
  const value = (i: number): Buffer => {
    const { key, A, B } = ops[i]!;
    return Buffer.from(
      JSON.stringify({
        v: 1,
        key,
        method: 'Arith.Multiply',
        params: { A, B },
        result: A * B,
        nodes: ['raw-writer-0'],
        verify: 'one',
        job: 'raw-1700000000000',
        storedAt: new Date().toISOString(),
      }),
    );
  };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      while (next < n) {
        const from = next;
        next = Math.min(n, next + BATCH);
        const keys = Array.from({ length: next - from }, (_, j) => Buffer.from(prefix + ops[from + j]!.key));
        const compare = (key: Buffer) => ({
          key,
          target: 'Create' as const,
          result: 'Equal' as const,
          create_revision: 0,
        });
        if (nested) {
          const success: IRequestOp[] = keys.map((key, j) => ({
            request_txn: {
              compare: [compare(key)],
              success: [{ request_put: { key, value: value(from + j) } }],
              failure: [{ request_range: { key } }],
            },
          }));
          await etcd.kv.txn({ success });
        } else {
          await etcd.kv.txn({
            compare: keys.map(compare),
            success: keys.map((key, j) => ({ request_put: { key, value: value(from + j) } })),
          });
        }
      }
    }),
  );
  return Math.round(n / ((performance.now() - started) / 1000));
}

/** ResultsFigures: the bulk job's rate, the verify report, and the raw loops' rates (per second). */
export interface ResultsFigures {
  n: number;
  mapPerSec: number;
  mapSeconds: number;
  /** mapStartUs: when the bulk job started, on the profiler's clock (for the `results:map` window). */
  mapStartUs: number;
  stored: number;
  failed: number;
  verified: number;
  mismatches: number;
  verifySeconds: number;
  rawFlatPerSec: number;
  rawNestedPerSec: number;
  /** cpu: CPU time per stored result of each writer, µs, by process (when the pids are known). */
  cpu: Partial<Record<'map' | 'flat' | 'nested', CpuPerOp>>;
}

/** CpuPerOp: CPU µs per stored result spent by the writing process, etcd and the nodes. */
export interface CpuPerOp {
  client: number;
  etcd: number;
  nodes: number;
}

/** Pids whose CPU the results measurements account for (etcd is unknown in a container). */
export interface ResultsPids {
  etcd: number[];
  nodes: number[];
}

/** cpuOf runs `work` (which stores `n` results) and returns the CPU µs per result of each process group. */
async function cpuOf(
  pids: ResultsPids | undefined,
  n: number,
  work: () => Promise<void>,
): Promise<CpuPerOp | undefined> {
  const groups = pids ? [[process.pid], pids.etcd, pids.nodes] : [];
  const ticks = (): number[] => groups.map((g) => g.reduce((a, pid) => a + cpuTicks(pid), 0));
  const before = ticks();
  await work();
  if (!pids || n === 0) return undefined;
  // A tick is 10 ms: µs per result.
  const [client, etcd, nodes] = ticks().map((t, i) => Math.round(((t - before[i]!) * 10_000) / n));
  return { client: client!, etcd: pids.etcd.length > 0 ? etcd! : Number.NaN, nodes: nodes! };
}

/**
 * settle gives the next measurement the same etcd to write to: the keys written so far are deleted,
 * the history compacted and the backend defragmented. Without it every run writes into a larger,
 * more fragmented database than the one before, and whatever runs later is measured slower.
 */
async function settle(etcd: Etcd3, prefixes: string[]): Promise<void> {
  for (const prefix of prefixes) await etcd.delete().prefix(prefix).exec();
  const { header } = await etcd.kv.range({ key: Buffer.from('/') });
  await etcd.kv.compact({ revision: header.revision, physical: true });
  await etcd.maintenance.defragment();
}

/**
 * measureResults runs the bulk job of n multiplications on `cluster` (namespace `namespace`) and
 * verifies it, and runs both raw loops; each of the three starts from a settled etcd, in an order
 * that rotates with `run` so that drift hits them alike. Deletes everything it wrote under
 * `/<namespace>/` at the end.
 */
export async function measureResults(
  cluster: Cluster,
  namespace: string,
  n: number,
  run = 0,
  pids?: ResultsPids,
): Promise<ResultsFigures> {
  const ops = Array.from({ length: n }, (_, i) => ({ method: 'Arith.Multiply', params: { A: i, B: i + 1 } }));
  const rawOps: RawOp[] = ops.map(({ method, params }) => ({ key: deriveKey(method, params), ...params }));
  const jobId = `bench-${Date.now()}`;
  const written = ['results', 'jobs', 'raw-flat', 'raw-nested'].map((p) => `/${namespace}/${p}/`);
  const f: ResultsFigures = {
    n,
    mapPerSec: 0,
    mapSeconds: 0,
    mapStartUs: 0,
    stored: 0,
    failed: 0,
    verified: 0,
    mismatches: 0,
    verifySeconds: 0,
    rawFlatPerSec: 0,
    rawNestedPerSec: 0,
    cpu: {},
  };
  const phases: Array<() => Promise<void>> = [
    async () => {
      f.mapStartUs = monotonicUs();
      const cpu = await cpuOf(pids, n, async () => {
        const summary = await cluster.map(ops, { verify: 'one', jobId });
        f.mapPerSec = summary.ratePerSec;
        f.mapSeconds = summary.seconds;
        f.stored = summary.stored;
        f.failed = summary.failed;
      });
      if (cpu) f.cpu.map = cpu;
      const report = await cluster.results.verify({ jobId });
      f.verified = report.checked;
      f.mismatches = report.mismatches.length;
      f.verifySeconds = Math.round(report.seconds * 100) / 100;
    },
    async () => {
      const cpu = await cpuOf(pids, n, async () => {
        f.rawFlatPerSec = await rawLoop(cluster.etcd, `/${namespace}/raw-flat/`, rawOps, false);
      });
      if (cpu) f.cpu.flat = cpu;
    },
    async () => {
      const cpu = await cpuOf(pids, n, async () => {
        f.rawNestedPerSec = await rawLoop(cluster.etcd, `/${namespace}/raw-nested/`, rawOps, true);
      });
      if (cpu) f.cpu.nested = cpu;
    },
  ];
  try {
    for (let i = 0; i < phases.length; i++) {
      await settle(cluster.etcd, written);
      await phases[(i + run) % phases.length]!();
    }
    return f;
  } finally {
    await cluster.etcd.delete().prefix(`/${namespace}/`).exec();
  }
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000);
  const etcd = await startEtcd();
  const namespace = `bench-results-${process.pid}`;
  try {
    await Promise.all(
      [0, 1, 2].map((i) =>
        startNode({ id: `${namespace}-${i}`, etcd: etcd.endpoints, namespace, env: { LOG_LEVEL: 'info' } }),
      ),
    );
    const cluster = await connect({ etcd: etcd.endpoints, namespace });
    try {
      await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
      const f = await measureResults(cluster, namespace, n);
      console.log(
        `cluster.map, ${n} Arith.Multiply, verify 'one', 3 nodes, 1 etcd member: ${f.stored} stored, ${f.failed} failed in ${f.mapSeconds} s = ${f.mapPerSec} results/s`,
      );
      console.log(
        `results.verify: ${f.verified} checked, ${f.mismatches} mismatches in ${f.verifySeconds} s`,
      );
      console.log(
        `raw etcd3 put-if-absent, ${BATCH} keys/txn, ${INFLIGHT} txns in flight: flat ${f.rawFlatPerSec}/s, nested ${f.rawNestedPerSec}/s`,
      );
    } finally {
      await cluster.close();
    }
  } finally {
    await stopAllNodes();
    await etcd.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
