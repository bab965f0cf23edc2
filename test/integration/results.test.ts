/**
 * results: the exactly-once results store on a real etcd with real node processes: compute, get,
 * list, watch, delete, derived keys, conflicts, 8 clients racing on the same keys, verify, and a
 * small bulk job with its job record.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type Cluster,
  connect,
  deriveKey,
  ResultConflictError,
  type ResultEvent,
  type ResultRecord,
  serializeResultRecord,
} from '../../src/index.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { uniqueNamespace } from '../support/namespace.js';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const namespace = uniqueNamespace('results');
const admin = createEtcdClient({ endpoints });
const clusters: Cluster[] = [];
let nodes: NodeProcess[];
let cluster: Cluster;

const full = (key: string): string => `/${namespace}/results/${key}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function client(): Promise<Cluster> {
  const c = await connect({ etcd: endpoints, namespace });
  clusters.push(c);
  await c.ready({ nodes: 3, timeoutMs: 10_000 });
  return c;
}

/**
 * witness opens a second watch on `prefix` from the same client: the positive signal that a closed
 * watch was sent nothing. etcd sends one client's watch events in revision order on one stream, so
 * once the witness has seen a later write, a watch still open would already have been sent every
 * earlier event.
 */
async function witness(prefix: string) {
  const seen: string[] = [];
  const watch = await cluster.results.watch(prefix, (e) => seen.push(`${e.type} ${e.key}`));
  return {
    seen,
    /** sawLaterWrite stores a result under `key`, waits until the witness sees it, and closes it. */
    async sawLaterWrite(key: string): Promise<void> {
      await cluster.results.compute(key, 'Arith.Add', { A: 1, B: 1 });
      await expect.poll(() => seen, { timeout: 5_000 }).toContain(`put ${key}`);
      await watch.close();
    },
  };
}

/** versions reads every key under a results prefix with its etcd version. */
async function versions(prefix: string): Promise<Map<string, string>> {
  const res = await admin.getAll().prefix(full(prefix)).exec();
  return new Map(res.kvs.map((kv) => [kv.key.toString().slice(full('').length), kv.version]));
}

beforeAll(async () => {
  nodes = await Promise.all(
    ['a', 'b', 'c'].map((x) => startNode({ id: `res-${x}`, etcd: endpoints, namespace })),
  );
  cluster = await client();
});

afterAll(async () => {
  await Promise.all(clusters.map((c) => c.close()));
  await stopAllNodes();
  await admin.delete().prefix(`/${namespace}/`).exec();
  admin.close();
});

describe('results.compute', () => {
  it('stores once under the caller key and then returns the stored record', async () => {
    const first = await cluster.results.compute('mul/7x8', 'Arith.Multiply', { A: 7, B: 8 });
    expect(first).toMatchObject({ stored: true, agrees: true, dissent: [] });
    expect(first.record).toMatchObject({
      v: 1,
      key: 'mul/7x8',
      method: 'Arith.Multiply',
      params: { A: 7, B: 8 },
      result: 56,
      verify: 'one',
    });
    expect(Date.parse(first.record.storedAt)).toBeGreaterThan(Date.now() - 60_000);
    const kv = (await admin.get(full('mul/7x8')).exec()).kvs[0]!;
    expect(kv.version).toBe('1');
    expect(JSON.parse(kv.value.toString())).toEqual(first.record);

    const second = await cluster.results.compute('mul/7x8', 'Arith.Multiply', [7, 8]);
    expect(second).toMatchObject({ stored: false, agrees: true });
    expect(second.record).toEqual(first.record);
    expect((await admin.get(full('mul/7x8')).exec()).kvs[0]!.version).toBe('1');
    expect(await cluster.results.get('mul/7x8')).toEqual(first.record);
  });

  it('derives the same key from the three Arith param shapes and stores the computation once', async () => {
    const shapes = [{ A: 12, B: 13 }, [12, 13], [{ A: 12n, B: '13' }]];
    const outcomes = [];
    for (const params of shapes)
      outcomes.push(await cluster.results.compute(undefined, 'Arith.Multiply', params));
    const key = deriveKey('Arith.Multiply', { A: 12, B: 13 });
    expect(outcomes.map((o) => o.record.key)).toEqual([key, key, key]);
    expect(outcomes.map((o) => o.stored)).toEqual([true, false, false]);
    expect(outcomes[0]!.record.params).toEqual({ A: 12, B: 13 });
    expect((await admin.get(full(key)).exec()).kvs[0]!.version).toBe('1');
  });

  it('stores integers beyond 2^53 exactly, as decimal strings', async () => {
    const a = 2n ** 70n + 1n;
    const out = await cluster.results.compute(undefined, 'Arith.Multiply', { A: a, B: 3n });
    expect(out.record.params).toEqual({ A: a.toString(), B: 3 });
    expect(out.record.result).toBe((a * 3n).toString());
    expect(out.record.nodes).toHaveLength(1); // verify 'one' records the node that answered
    expect(nodes.map((n) => n.id)).toContain(out.record.nodes[0]);
  });

  it('stores an application error (divide by zero) as the answer, with the node that gave it', async () => {
    const out = await cluster.results.compute('div/1by0', 'Arith.Divide', { A: 1, B: 0 });
    expect(out.stored).toBe(true);
    expect(out.record.error).toEqual({ code: 1001, message: 'divide by zero' });
    expect(out.record.result).toBeUndefined();
    expect(nodes.map((n) => n.id)).toContain(out.record.nodes[0]);
    const again = await cluster.results.compute('div/1by0', 'Arith.Divide', { A: 1, B: 0 });
    expect(again).toMatchObject({ stored: false, agrees: true });
  });

  it('refuses invalid params and keys without calling or storing anything', async () => {
    await expect(cluster.results.compute('bad/params', 'Arith.Multiply', { A: 1.5, B: 2 })).rejects.toThrow(
      /A: expected an integer/,
    );
    await expect(cluster.results.compute('/abs', 'Arith.Multiply', { A: 1, B: 2 })).rejects.toThrow(
      TypeError,
    );
    await expect(cluster.results.compute('a/../b', 'Arith.Multiply', { A: 1, B: 2 })).rejects.toThrow(/\.\./);
    expect(await cluster.results.get('bad/params')).toBeUndefined();
  });

  it('verifies with all nodes (records every node) and with a quorum', async () => {
    const all = await cluster.results.compute('verify-all/1', 'Arith.Add', { A: 1, B: 2 }, { verify: 'all' });
    expect(all.record).toMatchObject({ result: 3, verify: 'all', nodes: ['res-a', 'res-b', 'res-c'] });
    const q = await cluster.results.compute('verify-q/1', 'Arith.Add', { A: 2, B: 2 }, { verify: 'quorum' });
    expect(q.record.verify).toBe('quorum');
    expect(q.record.nodes.length).toBeGreaterThanOrEqual(2);
  });

  it('throws a typed conflict when the stored record disagrees, and overwrites nothing', async () => {
    const wrong: ResultRecord = {
      v: 1,
      key: 'conflict/7x8',
      method: 'Arith.Multiply',
      params: { A: 7, B: 8 },
      result: 57,
      nodes: ['liar'],
      verify: 'one',
      storedAt: new Date().toISOString(),
    };
    await admin.put(full('conflict/7x8')).value(serializeResultRecord(wrong)).exec();
    const error = await cluster.results.compute('conflict/7x8', 'Arith.Multiply', { A: 7, B: 8 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResultConflictError);
    const conflict = error as ResultConflictError;
    expect(conflict.key).toBe('conflict/7x8');
    expect(conflict.stored.result).toBe(57);
    expect(conflict.computed.result).toBe(56);
    expect(conflict.retryable).toBe(false);
    expect(conflict.message).toMatch(/stored Arith\.Multiply = 57 from liar, computed Arith\.Multiply = 56/);
    const kv = (await admin.get(full('conflict/7x8')).exec()).kvs[0]!;
    expect(kv.version).toBe('1');
    expect(JSON.parse(kv.value.toString()).result).toBe(57);

    const returned = await cluster.results.compute('conflict/7x8', 'Arith.Multiply', [7, 8], {
      onConflict: 'return',
    });
    expect(returned).toMatchObject({ stored: false, agrees: false });
    expect(returned.record.result).toBe(57);
    expect(returned.computed.result).toBe(56);
  });

  it('one client computing the same key twice at once stores it once (the two writes share no txn)', async () => {
    const twice = await Promise.all([
      cluster.results.compute('dup/1', 'Arith.Add', { A: 40, B: 2 }),
      cluster.results.compute('dup/1', 'Arith.Add', [40, 2]),
      cluster.results.compute('dup/2', 'Arith.Add', [1, 2]),
    ]);
    expect(twice.map((o) => o.stored).sort()).toEqual([false, true, true]);
    expect(twice[0]!.record).toEqual(twice[1]!.record);
    expect((await admin.get(full('dup/1')).exec()).kvs[0]!.version).toBe('1');
  });

  it('8 clients computing the same 500 keys at once store each exactly once and all get the same record', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, () => client()));
    const keys = Array.from({ length: 500 }, (_, i) => `race/${String(i).padStart(3, '0')}`);
    const outcomes = await Promise.all(
      clients.map((c) =>
        Promise.all(keys.map((key, i) => c.results.compute(key, 'Arith.Multiply', { A: i, B: i + 1 }))),
      ),
    );
    const stored = await versions('race/');
    expect(stored.size).toBe(500);
    expect([...stored.values()].every((v) => v === '1')).toBe(true);
    keys.forEach((_key, i) => {
      const mine = outcomes.map((o) => o[i]!);
      expect(mine.filter((o) => o.stored).length).toBe(1);
      expect(mine.every((o) => o.agrees)).toBe(true);
      for (const o of mine) expect(o.record).toEqual(mine[0]!.record);
      expect(mine[0]!.record.result).toBe(i * (i + 1));
    });
  });
});

describe('results reads', () => {
  it('lists by prefix in key order, page by page', async () => {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        cluster.results.compute(`list/${String(i).padStart(2, '0')}`, 'Arith.Add', { A: i, B: 1 }),
      ),
    );
    const seen: ResultRecord[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await cluster.results.list({ prefix: 'list/', limit: 10, after });
      seen.push(...page.records);
      after = page.next;
      pages++;
    } while (after !== undefined);
    expect(pages).toBe(3);
    expect(seen.map((r) => r.key)).toEqual(
      Array.from({ length: 25 }, (_, i) => `list/${String(i).padStart(2, '0')}`),
    );
    expect(seen.map((r) => r.result)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('skips unreadable values in a list', async () => {
    await admin.put(full('junk/1')).value('not json').exec();
    await cluster.results.compute('junk/2', 'Arith.Add', { A: 1, B: 1 });
    const page = await cluster.results.list({ prefix: 'junk/' });
    expect(page.records.map((r) => r.key)).toEqual(['junk/2']);
    await expect(cluster.results.get('junk/1')).rejects.toThrow(/not a result record/);
  });

  it('pages through records too large for one etcd answer (4 MB), in list and verify', async () => {
    const big = (i: number): string =>
      serializeResultRecord({
        v: 1,
        key: `big/${i}`,
        method: 'Other.Big',
        params: {},
        result: 'x'.repeat(900_000),
        nodes: [],
        verify: 'one',
        storedAt: new Date().toISOString(),
      });
    for (let i = 0; i < 6; i++)
      await admin
        .put(full(`big/${i}`))
        .value(big(i))
        .exec();
    const keys: string[] = [];
    let after: string | undefined;
    do {
      const page = await cluster.results.list({ prefix: 'big/', limit: 100, after });
      keys.push(...page.records.map((r) => r.key));
      after = page.next;
    } while (after !== undefined);
    expect(keys).toEqual(['big/0', 'big/1', 'big/2', 'big/3', 'big/4', 'big/5']);
    expect(await cluster.results.verify({ prefix: 'big/' })).toMatchObject({ checked: 0, unverifiable: 6 });
  });

  it('watches puts and deletes under a prefix until closed', async () => {
    const events: ResultEvent[] = [];
    const watch = await cluster.results.watch('watched/', (e) => events.push(e));
    await cluster.results.compute('watched/a', 'Arith.Multiply', { A: 3, B: 4 });
    await cluster.results.compute('elsewhere/a', 'Arith.Multiply', { A: 3, B: 4 });
    expect(await cluster.results.delete('watched/a')).toBe(true);
    const started = Date.now();
    while (events.length < 2 && Date.now() - started < 5_000) await sleep(10);
    expect(events.map((e) => [e.type, e.key])).toEqual([
      ['put', 'watched/a'],
      ['delete', 'watched/a'],
    ]);
    expect(events[0]!.type === 'put' && events[0]!.record.result).toBe(12);
    const w = await witness('watched/');
    await watch.close();
    await cluster.results.compute('watched/b', 'Arith.Multiply', { A: 3, B: 4 });
    await w.sawLaterWrite('watched/c');
    expect(w.seen).toEqual(['put watched/b', 'put watched/c']);
    expect(events).toHaveLength(2);
  });

  it('closes a watch when its signal aborts', async () => {
    const events: ResultEvent[] = [];
    const controller = new AbortController();
    await cluster.results.watch('sig/', (e) => events.push(e), { signal: controller.signal });
    const w = await witness('sig/');
    controller.abort();
    await cluster.results.compute('sig/a', 'Arith.Add', { A: 1, B: 2 });
    await w.sawLaterWrite('sig/b');
    expect(w.seen).toEqual(['put sig/a', 'put sig/b']);
    expect(events).toHaveLength(0);
  });

  it('deletes only when asked, and says whether there was a record', async () => {
    await cluster.results.compute('del/a', 'Arith.Add', { A: 1, B: 2 });
    expect(await cluster.results.delete('del/a')).toBe(true);
    expect(await cluster.results.delete('del/a')).toBe(false);
    expect(await cluster.results.get('del/a')).toBeUndefined();
  });
});

describe('results.verify and bulk jobs', () => {
  it('reports a tampered record and an unreadable value', async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        cluster.results.compute(`ver/${i}`, 'Arith.Multiply', { A: i, B: 9 }),
      ),
    );
    const clean = await cluster.results.verify({ prefix: 'ver/' });
    expect(clean).toMatchObject({ checked: 10, mismatches: [], unreadable: [], unverifiable: 0 });
    const record = (await cluster.results.get('ver/3'))!;
    await admin
      .put(full('ver/3'))
      .value(serializeResultRecord({ ...record, result: 28 }))
      .exec();
    await admin.put(full('ver/x')).value('{"v":1}').exec();
    const report = await cluster.results.verify({ prefix: 'ver/' });
    expect(report.checked).toBe(10);
    expect(report.unreadable).toEqual(['ver/x']);
    expect(report.mismatches).toHaveLength(1);
    expect(report.mismatches[0]).toMatchObject({ key: 'ver/3', expected: { result: 27 } });
    expect(report.mismatches[0]!.stored.result).toBe(28);
  });

  it('map stores every op once, writes the job record, and a rerun skips them all', async () => {
    const ops = Array.from({ length: 300 }, (_, i) => ({
      method: 'Arith.Multiply',
      params: { A: i, B: 1_000 },
    }));
    const progress: number[] = [];
    const storedKeys: string[] = [];
    const first = await cluster.map(ops, {
      jobId: 'small-job',
      concurrency: 4,
      onProgress: (p) => progress.push(p.done),
      onStored: (keys) => storedKeys.push(...keys),
    });
    expect(first).toMatchObject({
      jobId: 'small-job',
      status: 'done',
      total: 300,
      stored: 300,
      skipped: 0,
      failed: 0,
    });
    expect(storedKeys).toHaveLength(300);
    expect(progress.at(-1)).toBe(300);
    const job = await cluster.results.job('small-job');
    expect(job).toMatchObject({
      status: 'done',
      runs: 1,
      verify: 'one',
      counts: { total: 300, stored: 300 },
    });
    expect(job?.finishedAt).toBeDefined();
    const record = await cluster.results.get(storedKeys[0]!);
    expect(record?.job).toBe('small-job');

    const again = await cluster.map(ops, { jobId: 'small-job' });
    expect(again).toMatchObject({ status: 'done', stored: 0, skipped: 300, failed: 0 });
    expect((await cluster.results.job('small-job'))?.runs).toBe(2);
    const report = await cluster.results.verify({ jobId: 'small-job' });
    expect(report).toMatchObject({ checked: 300, mismatches: [] });

    // A new job over the same ops: nothing stored twice, everything counted as already stored.
    for (const checkExisting of ['auto', 'always'] as const) {
      const other = await cluster.map(ops, { checkExisting, concurrency: 2 });
      expect(other).toMatchObject({ status: 'done', stored: 0, skipped: 300, failed: 0, conflicts: 0 });
    }
    expect([...(await versions('Arith.Multiply/')).values()].every((v) => v === '1')).toBe(true);
  });

  it('map over a group where half the keys are stored already stores the other half, each once', async () => {
    const ops = Array.from({ length: 64 }, (_, i) => ({
      method: 'Arith.Add',
      params: { A: i, B: 7_777 },
      key: `mixed/${String(i).padStart(2, '0')}`,
    }));
    for (const op of ops.filter((_, i) => i % 2 === 0))
      await cluster.results.compute(op.key, op.method, op.params);
    // One group of 64: its all-fresh write fails as a whole, and the per-key write decides each.
    const summary = await cluster.map(ops, { concurrency: 1 });
    expect(summary).toMatchObject({ status: 'done', stored: 32, skipped: 32, failed: 0, conflicts: 0 });
    const stored = await versions('mixed/');
    expect(stored.size).toBe(64);
    expect([...stored.values()].every((v) => v === '1')).toBe(true);
    expect((await cluster.results.get('mixed/63'))?.result).toBe(63 + 7_777);
  });

  it('map over an async iterable with duplicates, caller keys and a bad op', async () => {
    async function* ops() {
      yield { method: 'Arith.Add', params: { A: 1, B: 1 }, key: 'it/1' };
      yield { method: 'Arith.Add', params: [1, 1], key: 'it/1' };
      yield { method: 'Arith.Add', params: { A: 5, B: 1 }, key: 'it/1' };
      yield { method: 'Arith.Add', params: { A: 'x', B: 1 } };
      yield { method: 'Arith.Divide', params: { A: 1, B: 0 }, key: 'it/div0' };
    }
    const issues: string[] = [];
    const summary = await cluster.map(ops(), { onIssue: (i) => issues.push(i.kind) });
    expect(summary).toMatchObject({
      status: 'failed',
      total: 5,
      stored: 2,
      skipped: 1,
      failed: 1,
      conflicts: 1,
    });
    expect(issues.sort()).toEqual(['conflict', 'failed']);
    expect((await cluster.results.get('it/div0'))?.error?.code).toBe(1001);
  });

  it('a cancelled map resolves with status cancelled and counts only what finished', async () => {
    const controller = new AbortController();
    const ops = Array.from({ length: 5_000 }, (_, i) => ({ method: 'Arith.Add', params: { A: i, B: 77 } }));
    const summary = await cluster.map(ops, {
      jobId: 'cancelled-job',
      signal: controller.signal,
      concurrency: 2,
      onProgress: (p) => {
        if (p.done > 0) controller.abort();
      },
      progressIntervalMs: 5,
    });
    expect(summary.status).toBe('cancelled');
    expect(summary.stored).toBeLessThan(5_000);
    expect((await cluster.results.job('cancelled-job'))?.status).toBe('cancelled');
    const stored = await versions('Arith.Add/');
    expect([...stored.values()].every((v) => v === '1')).toBe(true);
  });
});
