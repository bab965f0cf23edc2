/**
 * queue-quorum: queued jobs with `verify: 'quorum'`, worked by real node processes on a real etcd.
 * A worker computes its own answers in-process and asks the other live nodes over RPC; only
 * answers a majority of the live nodes agree on are stored, naming the agreeing nodes. A node that
 * answers wrong (the test-only `--fault wrong-answer`, which also skews its worker's own answers)
 * is outvoted and never named; with too few agreeing nodes nothing is stored and each op fails
 * with code QUORUM.
 */
import type { Etcd3 } from 'etcd3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { BulkOp, Cluster, ResultRecord } from '../../src/index.js';
import { runArith } from '../support/cli.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { type NodeProcess, startNode } from '../support/process.js';
import { storedVersions } from '../support/stored-versions.js';
import { makeTestCerts, mtlsNodeArgs, OPENSSL } from '../support/test-certs.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
afterAll(() => fx.close());

function* ops(n: number, offset = 0): Generator<BulkOp> {
  for (let i = 0; i < n; i++)
    yield { method: 'Arith.Multiply', params: { A: i + offset, B: i + offset + 7 } };
}

/** nodes starts one node per id in `ns`; ids with `liar` answer wrong, ids with `idle` work no queue. */
function nodes(ns: string, ids: string[]): Promise<NodeProcess[]> {
  return Promise.all(
    ids.map((id) =>
      startNode({
        id,
        etcd: endpoints,
        namespace: ns,
        args: [
          ...(id.includes('liar') ? ['--fault', 'wrong-answer'] : []),
          ...(id.includes('idle') ? ['--no-worker'] : []),
        ],
      }),
    ),
  );
}

/** allRecords reads every stored record of the namespace. */
async function allRecords(cluster: Cluster): Promise<ResultRecord[]> {
  const out: ResultRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await cluster.results.list({ limit: 1000, after });
    out.push(...page.records);
    if (!page.next) return out;
    after = page.next;
  }
}

/** queueKeys counts the keys left under the namespace's queue prefix. */
async function queueKeys(etcd: Etcd3, ns: string): Promise<number> {
  const res = await etcd.getAll().prefix(`/${ns}/queue/`).keys();
  return res.length;
}

describe('queued jobs with verify quorum', () => {
  it('3 nodes: a quorum job completes; every record says quorum, names >= 2 agreeing nodes, version 1; the CLI too', async () => {
    const ns = fx.namespace('qq-three');
    const ids = ['qq-a', 'qq-b', 'qq-c'].map((id) => `${id}-${process.pid}`);
    const started = await nodes(ns, ids);
    const cluster = await fx.open(ns);
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
    const n = 300;
    const job = await cluster.submit(ops(n), { jobId: 'q300', verify: 'quorum', chunkOps: 32 });
    const final = await job.done();
    expect(final).toMatchObject({ status: 'done', stored: n, failed: 0, conflicts: 0 });
    const records = await allRecords(cluster);
    expect(records.length).toBe(n);
    expect(records.filter((r) => r.verify !== 'quorum')).toEqual([]);
    expect(records.filter((r) => r.nodes.length < 2 || r.nodes.some((id) => !ids.includes(id)))).toEqual([]);
    expect((await cluster.results.verify({ jobId: 'q300' })).mismatches).toEqual([]);
    const versions = await storedVersions(fx.admin, ns);
    expect(versions.size).toBe(n);
    expect([...versions.values()].filter((v) => v !== '1')).toEqual([]);
    expect(await queueKeys(fx.admin, ns)).toBe(0);
    // Only the nodes that worked a quorum chunk opened a client of their peers.
    const opened = started.filter((p) => p.logs().some((l) => l.includes('quorum peers client opened')));
    expect(opened.length).toBeGreaterThan(0);

    const common = ['--etcd', endpoints.join(','), '--namespace', ns];
    const cli = await runArith(
      ['submit', '--generate', '200', '--job', 'qcli', '--verify', 'quorum', '--wait', '--json', ...common],
      { timeoutMs: 60_000 },
    );
    expect(cli.stderr).not.toMatch(/UNSUPPORTED|error/i);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ status: 'done', failed: 0 });
    const cliRecords = (await allRecords(cluster)).filter((r) => r.job === 'qcli');
    expect(cliRecords.length).toBeGreaterThan(0);
    expect(cliRecords.every((r) => r.verify === 'quorum' && r.nodes.length >= 2)).toBe(true);
    expect([...(await storedVersions(fx.admin, ns)).values()].filter((v) => v !== '1')).toEqual([]);
  });

  it('a liar works every chunk beside 2 honest idle nodes: the agreed answer is stored, the liar never named', async () => {
    const ns = fx.namespace('qq-liar');
    const [a, b, liar] = ['qq-idle-a', 'qq-idle-b', 'qq-liar'].map((id) => `${id}-${process.pid}`);
    await nodes(ns, [a!, b!, liar!]);
    const cluster = await fx.open(ns);
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
    const n = 300;
    const job = await cluster.submit(ops(n, 1_000), { jobId: 'liar-works', verify: 'quorum', chunkOps: 64 });
    const final = await job.done();
    expect(final).toMatchObject({ status: 'done', stored: n, failed: 0, conflicts: 0 });
    const records = await allRecords(cluster);
    expect(records.length).toBe(n);
    expect(records.filter((r) => r.nodes.join() !== [a, b].sort().join())).toEqual([]);
    expect(records.every((r) => r.verify === 'quorum')).toBe(true);
    const report = await cluster.results.verify({ jobId: 'liar-works' });
    expect(report).toMatchObject({ checked: n, mismatches: [] });
    const versions = await storedVersions(fx.admin, ns);
    expect([...versions.values()].filter((v) => v !== '1')).toEqual([]);
  });

  it('a peer killed with kill -9 (its key still live): its votes fail in transport, the 2 others agree', async () => {
    const ns = fx.namespace('qq-dead');
    const [w1, w2, dead] = ['qq-w1', 'qq-w2', 'qq-idle-dead'].map((id) => `${id}-${process.pid}`);
    const [, , deadNode] = await Promise.all([
      ...[w1!, w2!].map((id) => startNode({ id, etcd: endpoints, namespace: ns })),
      startNode({ id: dead!, etcd: endpoints, namespace: ns, ttl: 60, args: ['--no-worker'] }),
    ]);
    const cluster = await fx.open(ns);
    await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
    deadNode!.child.kill('SIGKILL');
    await deadNode!.exited;
    expect(cluster.nodes().map((info) => info.id)).toContain(dead); // its lease outlives it for a while
    const n = 300;
    const job = await cluster.submit(ops(n, 5_000), { jobId: 'dead-peer', verify: 'quorum', chunkOps: 32 });
    const final = await job.done();
    expect(final).toMatchObject({ status: 'done', stored: n, failed: 0, conflicts: 0 });
    const records = await allRecords(cluster);
    expect(records.length).toBe(n);
    expect(records.filter((r) => r.nodes.join() !== [w1, w2].sort().join())).toEqual([]);
    expect([...(await storedVersions(fx.admin, ns)).values()].filter((v) => v !== '1')).toEqual([]);
  });

  it('one honest node and one liar: no quorum, nothing stored, every op failed with code QUORUM', async () => {
    const ns = fx.namespace('qq-split');
    const [h, liar] = ['qq-h', 'qq-liar2'].map((id) => `${id}-${process.pid}`);
    await nodes(ns, [h!, liar!]);
    const cluster = await fx.open(ns);
    await cluster.ready({ nodes: 2, timeoutMs: 10_000 });
    const n = 100;
    const job = await cluster.submit(ops(n), { jobId: 'split', verify: 'quorum', chunkOps: 25 });
    const final = await job.done();
    expect(final).toMatchObject({ stored: 0, failed: n });
    expect(final.issues.length).toBeGreaterThan(0);
    for (const issue of final.issues) {
      expect(issue.error.code).toBe('QUORUM');
      expect(issue.error.message).toMatch(/^quorum of 2 not reached: .*\(2 live nodes\)$/);
      expect(issue.error.message).toContain(h!);
      expect(issue.error.message).toContain(liar!);
    }
    expect((await storedVersions(fx.admin, ns)).size).toBe(0);
    expect(await queueKeys(fx.admin, ns)).toBe(0);
  });

  it('a lone node: a quorum of 1 of 1, as results.compute with one node; submit refuses verify all', async () => {
    const ns = fx.namespace('qq-lone');
    const id = `qq-lone-${process.pid}`;
    await nodes(ns, [id]);
    const cluster = await fx.open(ns);
    await cluster.ready({ nodes: 1, timeoutMs: 10_000 });
    const viaCompute = await cluster.results.compute(
      'lone/6x7',
      'Arith.Multiply',
      { A: 6, B: 7 },
      { verify: 'quorum' },
    );
    expect(viaCompute.record.nodes).toEqual([id]);
    const job = await cluster.submit(ops(50), { jobId: 'lone', verify: 'quorum' });
    expect(await job.done()).toMatchObject({ status: 'done', stored: 50, failed: 0 });
    const records = (await allRecords(cluster)).filter((r) => r.job === 'lone');
    expect(records.length).toBe(50);
    expect(records.every((r) => r.verify === 'quorum' && r.nodes.join() === id)).toBe(true);
    const refused = await cluster.submit(ops(1), { jobId: 'all', verify: 'all' as 'one' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ name: 'QueueError', code: 'UNSUPPORTED' });
  });

  it.skipIf(!OPENSSL)(
    'mTLS nodes: the worker asks its peers over TLS (CA from --tls-client-ca, --peer-tls-cert shown)',
    async () => {
      const certs = makeTestCerts('arith-qq-tls-');
      fx.cleanups.push(() => certs.remove());
      const ns = fx.namespace('qq-tls');
      const serve = mtlsNodeArgs(certs);
      const peer = ['--peer-tls-cert', certs.client.cert, '--peer-tls-key', certs.client.key];
      // One worker and two idle peers: every agreement needs an answer from a peer over mTLS.
      const [w, a, b] = ['qq-tls-w', 'qq-tls-idle-a', 'qq-tls-idle-b'].map((id) => `${id}-${process.pid}`);
      await Promise.all(
        [w!, a!, b!].map((id) =>
          startNode({
            id,
            etcd: endpoints,
            namespace: ns,
            args: [...serve, ...peer, ...(id.includes('idle') ? ['--no-worker'] : [])],
          }),
        ),
      );
      const tls = {
        ca: certs.read(certs.ca),
        cert: certs.read(certs.client.cert),
        key: certs.read(certs.client.key),
      };
      const cluster = await fx.open(ns, { tls });
      await cluster.ready({ nodes: 3, timeoutMs: 10_000 });
      const n = 100;
      const job = await cluster.submit(ops(n, 9_000), { jobId: 'tls', verify: 'quorum', chunkOps: 25 });
      expect(await job.done()).toMatchObject({ status: 'done', stored: n, failed: 0, conflicts: 0 });
      const records = (await allRecords(cluster)).filter((r) => r.job === 'tls');
      expect(records.length).toBe(n);
      expect(records.filter((r) => r.verify !== 'quorum' || r.nodes.every((id) => id === w))).toEqual([]);
      expect([...(await storedVersions(fx.admin, ns)).values()].filter((v) => v !== '1')).toEqual([]);
    },
  );
});
