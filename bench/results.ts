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
import { type Cluster, connect } from './lib/sdk.js';

const BATCH = 64;
const INFLIGHT = 16;

/** rawLoop writes n keys under prefix with put-if-absent txns of BATCH keys, INFLIGHT at once. */
async function rawLoop(etcd: Etcd3, prefix: string, n: number, nested: boolean): Promise<number> {
  const value = (i: number): Buffer =>
    Buffer.from(
      JSON.stringify({
        v: 1,
        key: `k${i}`,
        method: 'Arith.Multiply',
        params: { A: i, B: i + 1 },
        result: i * (i + 1),
        nodes: [],
        verify: 'one',
        storedAt: new Date().toISOString(),
      }),
    );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      while (next < n) {
        const from = next;
        next = Math.min(n, next + BATCH);
        const keys = Array.from({ length: next - from }, (_, j) => Buffer.from(`${prefix}${from + j}`));
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
  stored: number;
  failed: number;
  verified: number;
  mismatches: number;
  verifySeconds: number;
  rawFlatPerSec: number;
  rawNestedPerSec: number;
}

/**
 * measureResults runs the bulk job of n multiplications on `cluster` (namespace `namespace`), verifies
 * it, runs both raw loops, and deletes everything it wrote under `/<namespace>/`.
 */
export async function measureResults(
  cluster: Cluster,
  namespace: string,
  n: number,
): Promise<ResultsFigures> {
  const ops = Array.from({ length: n }, (_, i) => ({ method: 'Arith.Multiply', params: { A: i, B: i + 1 } }));
  const jobId = `bench-${Date.now()}`;
  try {
    const summary = await cluster.map(ops, { verify: 'one', jobId });
    const report = await cluster.results.verify({ jobId });
    const rawFlatPerSec = await rawLoop(cluster.etcd, `/${namespace}/raw-flat/`, n, false);
    const rawNestedPerSec = await rawLoop(cluster.etcd, `/${namespace}/raw-nested/`, n, true);
    return {
      n,
      mapPerSec: summary.ratePerSec,
      mapSeconds: summary.seconds,
      stored: summary.stored,
      failed: summary.failed,
      verified: report.checked,
      mismatches: report.mismatches.length,
      verifySeconds: Math.round(report.seconds * 100) / 100,
      rawFlatPerSec,
      rawNestedPerSec,
    };
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
