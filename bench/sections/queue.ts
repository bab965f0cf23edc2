/**
 * Section: the durable job queue end to end (submit to done: 3 worker nodes claim, compute
 * in-process, store and ack) against `cluster.map` over the same number of ops (the client
 * computes through the nodes and stores), on one etcd member. Fresh keys for each (ops offset per
 * run), in alternating order; the namespace is deleted at the end. Before the measured runs, each
 * path runs one unmeasured warm-up job of WARMUP_OPS ops (as the throughput section warms up before
 * it measures): a worker's first claim loads the work module (~155 ms of CPU per node, zod most of
 * it) and V8 has yet to compile the hot path, one-time costs of a node's life, not of a job's.
 */
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { type BenchContext, errorText, type SectionOutput, startNodes } from '../lib/context.js';
import { measuredWindow } from '../lib/profiling.js';
import { connect } from '../lib/sdk.js';
import { median, ratio } from '../lib/stats.js';

/** QueueData: results/s of each run, and their medians. */
export interface QueueData {
  n: number;
  queuePerSec: number[];
  mapPerSec: number[];
  submitMs: number[];
  median?: { queuePerSec: number; mapPerSec: number; submitMs: number };
  errors: string[];
}

/** WARMUP_OPS: ops of each path's unmeasured warm-up job (fresh keys, offset past the measured ones). */
const WARMUP_OPS = 5_000;

function* ops(n: number, offset: number) {
  for (let i = 0; i < n; i++)
    yield { method: 'Arith.Multiply', params: { A: offset + i, B: offset + i + 1 } };
}

/**
 * runQueue measures queue and map results/s; `BENCH_QUEUE_OPS` sets the ops per run (default
 * 100,000), `BENCH_QUEUE_CHUNK` the queue's ops per chunk (default: submit's).
 */
export async function runQueue(ctx: BenchContext): Promise<SectionOutput<QueueData>> {
  const n = Number(process.env.BENCH_QUEUE_OPS ?? 100_000);
  const chunkOps = process.env.BENCH_QUEUE_CHUNK ? Number(process.env.BENCH_QUEUE_CHUNK) : undefined;
  const namespace = `bench-queue-${process.pid}`;
  const data: QueueData = { n, queuePerSec: [], mapPerSec: [], submitMs: [], errors: [] };
  const nodes = await startNodes(ctx.etcd, namespace, 3);
  const cluster = await connect({ etcd: ctx.etcd.endpoints, namespace });
  try {
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
    try {
      const warm = await cluster.submit(ops(WARMUP_OPS, 4 * n), { jobId: 'bench-q-warmup', chunkOps });
      await warm.done();
      await cluster.map(ops(WARMUP_OPS, 4 * n + WARMUP_OPS), { jobId: 'bench-m-warmup' });
    } catch (error) {
      data.errors.push(`warm-up: ${errorText(error)}`);
    }
    // One run (as issue 14 asks): 100,000 ops each way already take ~10 s, and the bench must stay under 5 minutes.
    for (let run = 0; run < 1; run++) {
      const order = run % 2 === 0 ? ['queue', 'map'] : ['map', 'queue'];
      for (const what of order) {
        const offset = (run * 2 + (what === 'queue' ? 0 : 1)) * n;
        try {
          const t0 = performance.now();
          if (what === 'queue') {
            const s = await measuredWindow('queue:queue', async () => {
              const job = await cluster.submit(ops(n, offset), { jobId: `bench-q-${run}`, chunkOps });
              data.submitMs.push(Math.round(performance.now() - t0));
              return job.done();
            });
            if (s.status !== 'done') throw new Error(`queue job ended ${s.status}`);
            data.queuePerSec.push(Math.round((n * 1000) / (performance.now() - t0)));
          } else {
            const s = await measuredWindow('queue:map', () =>
              cluster.map(ops(n, offset), { jobId: `bench-m-${run}` }),
            );
            if (s.status !== 'done') throw new Error(`map job ended ${s.status}`);
            data.mapPerSec.push(Math.round((n * 1000) / (performance.now() - t0)));
          }
          ctx.progress(`queue: ${what} run ${run + 1} done`);
        } catch (error) {
          data.errors.push(`${what}: ${errorText(error)}`);
        }
      }
    }
  } finally {
    await cluster.close();
    await Promise.all(nodes.map((node) => node.stop('SIGTERM')));
    const admin = createEtcdClient({ endpoints: ctx.etcd.endpoints });
    await admin
      .delete()
      .prefix(`/${namespace}/`)
      .exec()
      .catch(() => undefined);
    admin.close();
  }
  if (data.queuePerSec.length > 0 && data.mapPerSec.length > 0) {
    data.median = {
      queuePerSec: median(data.queuePerSec),
      mapPerSec: median(data.mapPerSec),
      submitMs: median(data.submitMs),
    };
  }
  const m = data.median;
  return {
    tables: [
      {
        title: `queue: ${n.toLocaleString('en-US')} ops end to end, 3 worker nodes, one etcd member`,
        columns: ['path', 'results/s (one run)', 'vs map', 'submit ms'],
        rows: m
          ? [
              [
                'queue (submit → done)',
                String(m.queuePerSec),
                `${ratio(m.queuePerSec, m.mapPerSec)}×`,
                String(m.submitMs),
              ],
              ['cluster.map', String(m.mapPerSec), '1×', '–'],
              ...data.errors.map((e) => ['error', e, '', '']),
            ]
          : data.errors.map((e) => ['error', e, '', '']),
      },
    ],
    data,
  };
}
