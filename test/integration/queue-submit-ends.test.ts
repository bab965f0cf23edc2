/**
 * queue-submit-ends: a submission that stops after its job record is written (the ops iterable
 * throws, the signal aborts, a line of a streamed .jsonl is bad) ends the job, failed or
 * cancelled with the reason, its queued chunks deleted; `done()` and `arith jobs watch` return;
 * the error says the job was ended and how many ops had been queued. Real etcd, a real node.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BulkOp, Cluster } from '../../src/index.js';
import { QueueError } from '../../src/results/queue/queue-error.js';
import { lines, runArith } from '../support/cli.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
const ns = fx.namespace('qend');
const dir = mkdtempSync(join(tmpdir(), 'arith-qend-'));
let cluster: Cluster;

beforeAll(async () => {
  await startNode({ id: `qend-${process.pid}`, etcd: endpoints, namespace: ns });
  cluster = await fx.open(ns);
});
afterAll(() => fx.close());

async function queueKeys(jobId: string): Promise<number> {
  return fx.admin.getAll().prefix(`/${ns}/queue/${jobId}/`).count();
}

function* opsThen(n: number, end: () => never): Generator<BulkOp> {
  for (let i = 0; i < n; i++) yield { method: 'Arith.Multiply', params: { A: i, B: 2 } };
  end();
}

describe('a submission that stops part way ends its job', () => {
  it('an ops iterable that throws: the job is failed with the reason, no queue key is left, done() returns', async () => {
    const error = await cluster.jobs
      .submit(
        opsThen(2_500, () => {
          throw new Error('source broke');
        }),
        { jobId: 'thrown', chunkOps: 500 },
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(QueueError);
    expect((error as QueueError).code).toBe('SUBMIT_FAILED');
    expect((error as Error).message).toMatch(
      /^source broke; job thrown was ended \(failed\): \d+ ops had been queued \(results stored stay\); the same submit starts it over$/,
    );
    expect(((error as Error).cause as Error).message).toBe('source broke');
    const queued = Number(/(\d+) ops/.exec((error as Error).message)![1]);
    const job = cluster.jobs.get('thrown');
    const final = await job.done();
    expect(final.status).toBe('failed');
    expect(final.error).toEqual({ code: 'ERROR', message: 'source broke' });
    expect(final.total).toBe(queued);
    expect(await queueKeys('thrown')).toBe(0);
  });

  it('an abort: the job is cancelled', async () => {
    const controller = new AbortController();
    const error = await cluster.jobs
      .submit(
        opsThen(1_200, () => {
          controller.abort(new Error('stop now'));
          throw controller.signal.reason;
        }),
        { jobId: 'aborted', chunkOps: 500, signal: controller.signal },
      )
      .catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/^stop now; job aborted was ended \(cancelled\)/);
    expect((await cluster.jobs.get('aborted').done()).status).toBe('cancelled');
    expect(await queueKeys('aborted')).toBe(0);
  });
});

describe('arith submit with a bad line', () => {
  const common = ['--etcd', endpoints.join(','), '--namespace', ns];

  it('in a file: exit 2 naming the line, before any job is created', async () => {
    const file = join(dir, 'bad.jsonl');
    const good = Array.from({ length: 3_000 }, (_, i) =>
      JSON.stringify({ method: 'Arith.Add', params: [i, 1] }),
    );
    writeFileSync(file, `${good.join('\n')}\ngarbage\n`);
    const run = await runArith(['submit', file, '--job', 'badfile', ...common]);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)[0]).toBe(`arith: ${file}:3001: not JSON`);
    const status = await runArith(['jobs', 'status', 'badfile', ...common]);
    expect(status.stderr).toMatch(/no job badfile/);
  });

  it('streamed through a pipe: exit 2 saying the job was ended; jobs watch returns', async () => {
    const fifo = join(dir, 'ops.fifo');
    execFileSync('mkfifo', [fifo]);
    const running = runArith(['submit', fifo, '--job', 'badpipe', ...common]);
    const out = createWriteStream(fifo);
    for (let i = 0; i < 3_000; i++) out.write(`${JSON.stringify({ method: 'Arith.Add', params: [i, 1] })}\n`);
    out.end('garbage\n');
    const run = await running;
    expect(run.code).toBe(2);
    expect(lines(run.stderr)[0]).toMatch(
      /^arith: .*ops\.fifo:3001: not JSON; job badpipe was ended \(failed\): \d+ ops had been queued/,
    );
    const watched = await runArith(['jobs', 'watch', 'badpipe', ...common], { timeoutMs: 20_000 });
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(/^job badpipe: failed\./);
    expect(await queueKeys('badpipe')).toBe(0);
  });
});
