/**
 * queue-resubmit: running the same `arith submit ... --job J` again after a submission that
 * stopped part way. Ended by its submitter (a bad line streamed in): the same submit starts the
 * job over and it finishes. Killed before it could end the job: exit 2 saying to cancel it, then
 * the same submit finishes it. A job fully submitted keeps its id: exit 2 saying to pick another.
 * A submitter still running when its job was cancelled and started over leaves the new run's record alone.
 * Real etcd, a real node, the built CLI as a process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BulkOp } from '../../src/index.js';
import { ARITH_BIN, lines, runArith } from '../support/cli.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
const ns = fx.namespace('qresub');
const dir = mkdtempSync(join(tmpdir(), 'arith-qresub-'));
const common = ['--etcd', endpoints.join(','), '--namespace', ns];
const op = (i: number) => JSON.stringify({ method: 'Arith.Add', params: [i, 1] });
const good = join(dir, 'good.jsonl');

beforeAll(async () => {
  writeFileSync(good, `${Array.from({ length: 3_000 }, (_, i) => op(i)).join('\n')}\n`);
  await startNode({ id: `qresub-${process.pid}`, etcd: endpoints, namespace: ns });
});
afterAll(() => fx.close());

/** streamed starts `arith submit <fifo> --job id` and writes `n` good lines into the fifo. */
function streamed(id: string, n: number) {
  const fifo = join(dir, `${id}.fifo`);
  execFileSync('mkfifo', [fifo]);
  const running = runArith(['submit', fifo, '--job', id, ...common]);
  const out = createWriteStream(fifo);
  for (let i = 0; i < n; i++) out.write(`${op(i)}\n`);
  return { running, out };
}

/** submitAgain runs the same submit of the good file, following the job to its end. */
const submitAgain = (id: string) =>
  runArith(['submit', good, '--job', id, '--wait', ...common], { timeoutMs: 60_000 });

describe('arith submit again with the job id of a submission that stopped part way', () => {
  it('ended by its submitter (bad line): the same submit starts it over and finishes it', async () => {
    const { running, out } = streamed('ended', 2_500);
    out.end('garbage\n');
    const first = await running;
    expect(first.code).toBe(2);
    expect(lines(first.stderr)[0]).toMatch(/job ended was ended \(failed\).*the same submit starts it over$/);
    const again = await submitAgain('ended');
    expect(lines(again.stderr)[0]).toBe('job ended submitted from good.jsonl; following it');
    expect(again.code).toBe(0);
    expect(lines(again.stdout)[1]).toMatch(
      /^job ended: done\. 3000\/3000 done: \d+ stored, \d+ already stored, 0 failed/,
    );
    const record = JSON.parse((await fx.admin.get(`/${ns}/jobs/ended`).string())!);
    expect(record).toMatchObject({ status: 'done', runs: 2, submitted: true });
    expect(record.counts.stored + record.counts.skipped).toBe(3_000);
    expect(await fx.admin.getAll().prefix(`/${ns}/queue/ended/`).count()).toBe(0);
  });

  it('killed before it could end the job: exit 2 saying to cancel it; after the cancel the same submit finishes it', async () => {
    const fifo = join(dir, 'killed.fifo');
    execFileSync('mkfifo', [fifo]);
    const child = spawn(process.execPath, [ARITH_BIN, 'submit', fifo, '--job', 'killed', ...common], {
      stdio: 'ignore',
    });
    const out = createWriteStream(fifo).on('error', () => undefined); // EPIPE once the reader is killed
    for (let i = 0; i < 2_500; i++) out.write(`${op(i)}\n`);
    while ((await fx.admin.get(`/${ns}/jobs/killed`).string()) === null)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    out.destroy();
    const refused = await submitAgain('killed');
    expect(refused.code).toBe(2);
    expect(lines(refused.stderr)[0]).toMatch(
      /^arith: job killed exists and its submission \(started .*\) is not complete: .*`arith jobs cancel killed` ends it and the same submit then starts it over$/,
    );
    const cancel = await runArith(['jobs', 'cancel', 'killed', ...common]);
    expect(cancel.stdout).toBe('job killed cancelled\n');
    const again = await submitAgain('killed');
    expect(again.code).toBe(0);
    expect(lines(again.stdout)[1]).toMatch(/^job killed: done\. 3000\/3000 done/);
  });

  it('a job fully submitted keeps its id: exit 2 saying what it is and to pick another id', async () => {
    const first = await submitAgain('whole');
    expect(first.code).toBe(0);
    const again = await submitAgain('whole');
    expect(again.code).toBe(2);
    expect(lines(again.stderr)[0]).toBe(
      'arith: job whole exists already (done, every op submitted); pick another --job id (results already stored are skipped)',
    );
  });
});

describe('a submitter still running when its job was cancelled and started over', () => {
  it("ends without writing over the new run's record", async () => {
    const cluster = await fx.open(ns);
    /** gated yields 10 ops, waits for its gate, then yields 10 more. */
    const gated = (b: number) => {
      let open = (): void => undefined;
      const gate = new Promise<void>((r) => (open = r));
      async function* ops(): AsyncGenerator<BulkOp> {
        for (let i = 0; i < 10; i++) yield { method: 'Arith.Add', params: [i, b] };
        await gate;
        for (let i = 10; i < 20; i++) yield { method: 'Arith.Add', params: [i, b] };
      }
      return { ops: ops(), open };
    };
    const record = async () => JSON.parse((await fx.admin.get(`/${ns}/jobs/overlap`).string()) ?? 'null');
    const a = gated(7);
    const first = cluster.jobs.submit(a.ops, { jobId: 'overlap' });
    while ((await record()) === null) await new Promise((r) => setTimeout(r, 20));
    expect(await cluster.jobs.get('overlap').cancel()).toBe('cancelled');
    const b = gated(8);
    const second = cluster.jobs.submit(b.ops, { jobId: 'overlap' });
    while ((await record()).runs !== 2) await new Promise((r) => setTimeout(r, 20));
    // The first submitter ends while the second is still submitting: it must leave run 2 alone.
    a.open();
    await first;
    expect(await record()).toMatchObject({ status: 'running', runs: 2, submitted: false });
    b.open();
    expect((await (await second).done()).status).toBe('done');
    expect(await record()).toMatchObject({ status: 'done', runs: 2, counts: { total: 20, done: 20 } });
  });
});
