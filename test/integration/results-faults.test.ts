/**
 * results-faults: the results store when things go wrong. A node that answers wrong (the test-only
 * `--fault wrong-answer`), a bulk job's client killed with kill -9 and run again, and the etcd
 * leader killed during a bulk job on a 3-member cluster. Real etcd, real node processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  type BulkIssue,
  connect,
  QuorumError,
  type ResultEvent,
  serializeResultRecord,
} from '../../src/index.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { startEtcdCluster } from '../support/etcd.js';
import { uniqueNamespace } from '../support/namespace.js';
import { startNode } from '../support/process.js';
import { storedVersions } from '../support/stored-versions.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
const { admin, clusters, namespaces, cleanups } = fx;
const BULK_CHILD = fileURLToPath(new URL('../support/bulk-child.mjs', import.meta.url));

afterAll(() => fx.close());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** nodesIn starts nodes (`liar` ids answer wrong) in a fresh namespace and a client that sees them all. */
async function nodesIn(prefix: string, ids: string[], etcd = endpoints) {
  const ns = uniqueNamespace(`results-${prefix}`);
  namespaces.push(ns);
  await Promise.all(
    ids.map((id) =>
      startNode({
        id,
        etcd,
        namespace: ns,
        ...(id.includes('liar') ? { args: ['--fault', 'wrong-answer'] } : {}),
      }),
    ),
  );
  const cluster = await connect({ etcd, namespace: ns });
  clusters.push(cluster);
  await cluster.ready({ nodes: ids.length, timeoutMs: 10_000 });
  return { ns, cluster };
}

const multiplications = (n: number, b = 7) =>
  Array.from({ length: n }, (_, i) => ({ method: 'Arith.Multiply', params: { A: i, B: i + b } }));

describe('a node that answers wrong', () => {
  it('verify quorum among 3 with one liar: the majority answer is stored, the dissent reported', async () => {
    const { cluster } = await nodesIn('q3', ['wq-a', 'wq-b', 'wq-liar']);
    const out = await cluster.results.compute(
      undefined,
      'Arith.Multiply',
      { A: 6, B: 7 },
      { verify: 'quorum' },
    );
    expect(out.stored).toBe(true);
    expect(out.record).toMatchObject({ result: 42, verify: 'quorum', nodes: ['wq-a', 'wq-b'] });
    expect(out.dissent).toEqual([{ nodeId: 'wq-liar', result: 43 }]);

    const all = await cluster.results
      .compute('all/6x8', 'Arith.Multiply', { A: 6, B: 8 }, { verify: 'all' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(all).toBeInstanceOf(QuorumError);
    expect(await cluster.results.get('all/6x8')).toBeUndefined();

    const issues: BulkIssue[] = [];
    const summary = await cluster.map(multiplications(200), {
      verify: 'quorum',
      jobId: 'quorum-job',
      onIssue: (i) => issues.push(i),
    });
    expect(summary).toMatchObject({ status: 'done', stored: 200, failed: 0, disagreements: 200 });
    expect(issues.every((i) => i.kind === 'dissent' && i.dissent?.[0]?.nodeId === 'wq-liar')).toBe(true);
    const report = await cluster.results.verify({ jobId: 'quorum-job' });
    expect(report).toMatchObject({ checked: 200, mismatches: [] });
    const page = await cluster.results.list({ prefix: 'Arith.Multiply/', limit: 1000 });
    expect(page.records.every((r) => !r.nodes.includes('wq-liar'))).toBe(true);
  });

  it('verify quorum between one honest node and one liar: nothing is stored, the disagreement reported', async () => {
    const { ns, cluster } = await nodesIn('q2', ['wq2-a', 'wq2-liar']);
    const error = await cluster.results
      .compute('q/6x7', 'Arith.Multiply', { A: 6, B: 7 }, { verify: 'quorum' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(QuorumError);
    const answers = (error as QuorumError).answers.map((a) => [a.nodeId, a.result]).sort();
    expect(answers).toEqual([
      ['wq2-a', 42],
      ['wq2-liar', 43],
    ]);
    expect(await cluster.results.get('q/6x7')).toBeUndefined();

    const summary = await cluster.map(multiplications(100), { verify: 'quorum' });
    expect(summary).toMatchObject({ status: 'failed', stored: 0, failed: 100, disagreements: 100 });
    expect(summary.issues[0]?.kind).toBe('disagreement');
    expect(summary.issues[0]?.error).toBeInstanceOf(QuorumError);
    expect((await storedVersions(admin, ns)).size).toBe(0);
  });

  it('verify one with only the liar: its answers are stored, and results.verify finds every one', async () => {
    const { cluster } = await nodesIn('q1', ['wq1-liar']);
    const summary = await cluster.map(multiplications(50), { verify: 'one', jobId: 'liar-job' });
    expect(summary.stored).toBe(50);
    const report = await cluster.results.verify({ jobId: 'liar-job' });
    expect(report.checked).toBe(50);
    expect(report.mismatches).toHaveLength(50);
    const first = report.mismatches.find(
      (m) => m.stored.params && (m.stored.params as { A: number }).A === 3,
    );
    expect(first).toMatchObject({ stored: { result: 31 }, expected: { result: 30 } });
  });
});

/** runChild runs test/support/bulk-child.mjs; `onProgress` may return true to kill it with SIGKILL. */
function runChild(
  env: Record<string, string>,
  onProgress: (p: { done: number; stored: number }) => boolean,
): Promise<{
  summary?: Record<string, unknown>;
  killedAt?: { done: number; stored: number };
  lines: string[];
}> {
  const child: ChildProcess = spawn(process.execPath, [BULK_CHILD], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  const lines: string[] = [];
  let summary: Record<string, unknown> | undefined;
  let killedAt: { done: number; stored: number } | undefined;
  let tail = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const parts = (tail + chunk).split('\n');
    tail = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      const msg = JSON.parse(line) as { type: string; done: number; stored: number };
      if (msg.type === 'summary') summary = msg;
      if (msg.type === 'progress' && !killedAt && onProgress(msg)) {
        killedAt = { done: msg.done, stored: msg.stored };
        child.kill('SIGKILL');
      }
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => lines.push(chunk));
  return new Promise((resolve) => child.once('exit', () => resolve({ summary, killedAt, lines })));
}

describe('a bulk job whose client dies', () => {
  it('killed with kill -9 at 30-60% and run again: all 20,000 stored once, the rerun skips', async () => {
    const n = 20_000;
    const { ns, cluster } = await nodesIn('kill', ['bk-a', 'bk-b', 'bk-c']);
    const env = {
      BULK_ETCD: endpoints.join(','),
      BULK_NAMESPACE: ns,
      BULK_JOB: 'killed-job',
      BULK_N: String(n),
    };
    const first = await runChild(
      { ...env, BULK_CONCURRENCY: '4', BULK_NODES: '3' },
      (p) => p.done >= n * 0.3,
    );
    expect(first.summary, first.lines.slice(-5).join('\n')).toBeUndefined();
    expect(first.killedAt!.done).toBeLessThanOrEqual(n * 0.6);
    const partial = await storedVersions(admin, ns);
    expect(partial.size).toBeGreaterThanOrEqual(first.killedAt!.stored);
    expect(partial.size).toBeLessThan(n);
    expect((await cluster.results.job('killed-job'))?.status).toBe('running');

    const second = await runChild({ ...env, BULK_NODES: '3' }, () => false);
    const summary = second.summary as Record<string, number | string>;
    expect(summary, second.lines.slice(-5).join('\n')).toMatchObject({ status: 'done', total: n, failed: 0 });
    expect(summary.skipped).toBeGreaterThanOrEqual(partial.size);
    expect(Number(summary.stored) + Number(summary.skipped)).toBe(n);
    console.log(
      `[kill -9] killed at done=${first.killedAt!.done} stored=${first.killedAt!.stored} (etcd held ${partial.size}); rerun stored=${summary.stored} skipped=${summary.skipped}`,
    );

    const stored = await storedVersions(admin, ns);
    expect(stored.size).toBe(n);
    expect([...stored.values()].every((v) => v === '1')).toBe(true);
    const job = await cluster.results.job('killed-job');
    expect(job).toMatchObject({ status: 'done', runs: 2 });
    expect(await cluster.results.verify({ prefix: 'Arith.Multiply/' })).toMatchObject({
      checked: n,
      mismatches: [],
    });
  }, 120_000);
});

describe('the etcd leader dies during a bulk job', () => {
  it('3 members, leader killed and restarted: the job completes and every key reported stored is present', async () => {
    const etcd = await startEtcdCluster(3);
    cleanups.push(() => etcd.stop());
    const { ns, cluster } = await nodesIn('leader', ['ld-a', 'ld-b', 'ld-c'], etcd.endpoints);
    const n = 20_000;
    const reported = new Set<string>();
    let outage: Promise<string> | undefined;
    const summary = await cluster.map(multiplications(n, 11), {
      jobId: 'leader-job',
      onStored: (keys) => {
        for (const k of keys) reported.add(k);
      },
      onProgress: (p) => {
        if (outage || p.done < n * 0.2) return;
        outage = (async () => {
          const leader = etcd.member(await etcd.leader());
          await leader.kill();
          await sleep(2_000);
          await leader.start();
          return leader.name;
        })();
      },
      progressIntervalMs: 50,
    });
    const killed = await outage;
    console.log(
      `[leader] killed ${killed}: ${JSON.stringify({ ...summary, issues: summary.issues.length })}`,
    );
    expect(killed).toBeDefined();
    expect(summary).toMatchObject({ status: 'done', total: n, failed: 0, conflicts: 0 });
    expect(summary.stored + summary.skipped).toBe(n);
    expect(reported.size).toBe(summary.stored);

    const reader = createEtcdClient({ endpoints: etcd.endpoints });
    cleanups.push(() => reader.close());
    const stored = await storedVersions(reader, ns);
    expect(stored.size).toBe(n);
    expect([...stored.values()].every((v) => v === '1')).toBe(true);
    const missing = [...reported].filter((k) => !stored.has(k));
    expect(missing).toEqual([]);
    expect((await cluster.results.job('leader-job'))?.status).toBe('done');
  }, 180_000);
});

describe('a results watch that loses etcd', () => {
  it('delivers the changes made while it was cut off once etcd is back, each exactly once', async () => {
    const ns = uniqueNamespace('results-watch');
    namespaces.push(ns);
    const proxy = TcpProxy.fromUrl(endpoints[0]!);
    await proxy.listen();
    cleanups.push(() => proxy.close());
    const cluster = await connect({ etcd: [proxy.url], namespace: ns });
    clusters.push(cluster);
    const events: ResultEvent[] = [];
    await cluster.results.watch('w/', (e) => events.push(e));
    const put = (key: string, result: number) =>
      admin
        .put(`/${ns}/results/${key}`)
        .value(
          serializeResultRecord({
            v: 1,
            key,
            method: 'Other.Method',
            params: {},
            result,
            nodes: [],
            verify: 'one',
            storedAt: new Date().toISOString(),
          }),
        )
        .exec();
    const until = async (count: number) => {
      const started = Date.now();
      while (events.length < count && Date.now() - started < 15_000) await sleep(20);
    };
    await put('w/a', 1);
    await until(1);
    proxy.cut();
    await sleep(300);
    await put('w/b', 2);
    await put('w/c', 3);
    await admin.delete().key(`/${ns}/results/w/a`).exec();
    await sleep(500);
    proxy.restore();
    await until(4);
    // A later write is the positive signal that nothing more is coming: events arrive in revision
    // order, so a replay of the changes made during the cut would arrive before this one.
    await put('w/d', 4);
    await until(5);
    expect(events.map((e) => `${e.type} ${e.key}`)).toEqual([
      'put w/a',
      'put w/b',
      'put w/c',
      'delete w/a',
      'put w/d',
    ]);
  }, 60_000);
});
