/**
 * queue: the durable job queue worked by real node processes on a real etcd. Submit returns once
 * every op is durable; the nodes claim, compute, store and ack; every result is stored exactly once
 * (version 1) and no queue key is left, whatever is killed.
 */
import type { Etcd3 } from 'etcd3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { BulkOp } from '../../src/index.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
afterAll(() => fx.close());

function* ops(n: number, offset = 0): Generator<BulkOp> {
  for (let i = 0; i < n; i++)
    yield { method: 'Arith.Multiply', params: { A: i + offset, B: i + offset + 1 } };
}

/** keysUnder reads every key under a prefix with its version (keys only, paged). */
async function keysUnder(etcd: Etcd3, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const end = Buffer.from(prefix);
  end[end.length - 1]! += 1;
  let from = Buffer.from(prefix);
  for (;;) {
    const res = await etcd.kv.range({ key: from, range_end: end, keys_only: true, limit: 10_000 });
    for (const kv of res.kvs) out.set(kv.key.toString(), kv.version);
    const last = res.kvs.at(-1);
    if (!res.more || !last) return out;
    from = Buffer.concat([last.key, Buffer.from([0])]);
  }
}

/** expectExactlyOnce checks n result keys at version 1 in `ns` and no queue key of the job. */
async function expectExactlyOnce(etcd: Etcd3, ns: string, jobId: string, n: number): Promise<void> {
  const results = await keysUnder(etcd, `/${ns}/results/`);
  expect(results.size).toBe(n);
  expect([...results.values()].filter((v) => v !== '1')).toEqual([]);
  expect((await keysUnder(etcd, `/${ns}/queue/${jobId}/`)).size).toBe(0);
}

describe('queued jobs', () => {
  it('3 worker nodes finish a submitted job: every result stored once, no queue key left', async () => {
    const ns = fx.namespace('queue-basic');
    await Promise.all(
      ['qa', 'qb', 'qc'].map((id) =>
        startNode({ id: `${id}-${process.pid}`, etcd: endpoints, namespace: ns }),
      ),
    );
    const cluster = await fx.open(ns);
    const n = 20_000;
    const job = await cluster.submit(ops(n), { jobId: 'basic' });
    const seen: number[] = [];
    job.on('progress', (p) => seen.push(p.done));
    const final = await job.done();
    expect(final.status).toBe('done');
    expect(final.stored + final.skipped).toBe(n);
    expect(final.failed + final.conflicts).toBe(0);
    expect(seen.length).toBeGreaterThan(0);
    await expectExactlyOnce(fx.admin, ns, 'basic', n);
    const record = await cluster.results.get((await cluster.results.list({ limit: 1 })).records[0]!.key);
    expect(record?.job).toBe('basic');
    expect((await cluster.jobs.list()).map((j) => [j.jobId, j.status])).toEqual([['basic', 'done']]);
  });

  it('ops of two 4,000-digit integers: chunks and acks stay under etcd request limits, every result stored once', async () => {
    const ns = fx.namespace('queue-big');
    await startNode({ id: `qbig-${process.pid}`, etcd: endpoints, namespace: ns });
    const cluster = await fx.open(ns);
    const n = 300; // 2.4 MB of params: one 1,000-op chunk of them was more than etcd takes
    const big = function* (): Generator<BulkOp> {
      for (let i = 0; i < n; i++)
        yield {
          method: 'Arith.Multiply',
          params: { A: `${'9'.repeat(3_996)}${1000 + i}`, B: '7'.repeat(4_000) },
        };
    };
    const job = await cluster.submit(big(), { jobId: 'big' });
    const final = await job.done();
    expect(final).toMatchObject({ status: 'done', stored: n, failed: 0, conflicts: 0 });
    expect(final.chunks.total).toBeGreaterThan(1);
    await expectExactlyOnce(fx.admin, ns, 'big', n);
    const one = (await cluster.results.list({ limit: 1 })).records[0]!;
    const { A, B } = one.params as { A: string; B: string };
    expect(one.result).toBe(String(BigInt(A) * BigInt(B)));
  });

  it('with no node the job waits; a node started later finishes it', async () => {
    const ns = fx.namespace('queue-wait');
    const cluster = await fx.open(ns);
    const job = await cluster.submit(ops(3_000), { jobId: 'waits' });
    expect((await job.status()).status).toBe('queued');
    await startNode({ id: `late-${process.pid}`, etcd: endpoints, namespace: ns });
    expect((await job.done()).status).toBe('done');
    await expectExactlyOnce(fx.admin, ns, 'waits', 3_000);
  });

  it('a worker node killed with kill -9 mid-job: the others redo its chunks, every result stored once', async () => {
    const ns = fx.namespace('queue-kill');
    const [victim] = await Promise.all(
      ['qk1', 'qk2', 'qk3'].map((id) =>
        startNode({
          id: `${id}-${process.pid}`,
          etcd: endpoints,
          namespace: ns,
          ttl: 2,
          args: ['--delay-ms', '0'],
        }),
      ),
    );
    const cluster = await fx.open(ns);
    const n = 30_000;
    const job = await cluster.submit(ops(n), { jobId: 'killed', chunkOps: 64 });
    let killedAt = -1;
    job.on('progress', (p) => {
      if (killedAt < 0 && p.done > 0 && p.chunks.claimed > 0) {
        killedAt = p.done;
        victim!.child.kill('SIGKILL');
      }
    });
    const final = await job.done();
    expect(killedAt).toBeGreaterThanOrEqual(0);
    expect(killedAt).toBeLessThan(n);
    expect(final.status).toBe('done');
    expect(final.stored + final.skipped).toBe(n);
    await expectExactlyOnce(fx.admin, ns, 'killed', n);
  });
});
