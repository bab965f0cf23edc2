/**
 * discovery-faults: Discovery while etcd is unreachable (traffic cut by a TCP proxy), stopped and
 * started again, and after the watch's resume revision was compacted. The restart and compaction
 * tests use their own etcd, so compacting never touches the etcd other test files share.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { Discovery } from '../../src/registry/discovery.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { nodeKey, nodesPrefix } from '../../src/registry/keys.js';
import type { NodeChange, NodeInfo } from '../../src/registry/types.js';
import { uniqueNamespace } from '../support/namespace.js';
import { type OwnEtcd, ownEtcd } from '../support/own-etcd.js';
import { startNode, stopAllNodes } from '../support/process.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const endpoints = inject('etcdEndpoints');
const cleanups: Array<() => unknown> = [];

let own: OwnEtcd;

beforeAll(async () => {
  own = await ownEtcd(cleanups);
});

afterAll(async () => {
  await stopAllNodes();
  for (const fn of cleanups.reverse()) await fn();
});

function info(id: string, weight = 1): NodeInfo {
  const endpoints = { http: 'http://127.0.0.1:1', tcp: '127.0.0.1:1' };
  return { v: 1, id, endpoints, methods: [], weight, version: '0', startedAt: '', pid: 1, hostname: 'h' };
}

/** setup makes a client (through `proxyTo` when given) and a Discovery on a fresh namespace, cleaned up in afterAll. */
async function setup(name: string, etcdUrl: string, proxyTo = false) {
  const ns = uniqueNamespace(name);
  const admin = createEtcdClient({ endpoints: [etcdUrl] });
  const proxy = proxyTo ? TcpProxy.fromUrl(etcdUrl) : undefined;
  await proxy?.listen();
  const client = createEtcdClient({ endpoints: [proxy ? proxy.url : etcdUrl] });
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  const d = new Discovery({ client, namespace: ns, logger: createLogger({ level: 'debug', destination }) });
  const changes: NodeChange[] = [];
  d.on('change', (c) => changes.push(c));
  cleanups.push(async () => {
    await d.close();
    client.close();
    await proxy?.close();
    await admin.delete().prefix(`/${ns}/`).exec();
    admin.close();
  });
  return { ns, admin, proxy, d, lines, changes };
}

async function until(check: () => boolean, timeoutMs: number, what = 'condition'): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

const ids = (d: Discovery): string[] => d.nodes().map((n) => n.id);
const saw = (changes: NodeChange[], type: string, id: string): boolean =>
  changes.some((c) => c.type === type && c.node.id === id);

describe('Discovery when etcd is unreachable', () => {
  it('keeps its nodes while traffic is cut, then reconciles to the true set', async () => {
    const { ns, proxy, d, changes } = await setup('disc-cut', endpoints[0]!, true);
    const a = await startNode({ id: 'cut-a', etcd: endpoints, namespace: ns });
    await d.start();
    await until(() => d.connected, 3_000, 'connected');
    expect(ids(d)).toEqual(['cut-a']);
    proxy!.cut();
    await until(() => !d.connected, 3_000, 'disconnected');
    await a.stop(); // deregisters directly in etcd, which discovery cannot see now
    await startNode({ id: 'cut-b', etcd: endpoints, namespace: ns });
    await new Promise((r) => setTimeout(r, 200));
    expect(d.connected).toBe(false);
    expect(d.staleness()).toBeGreaterThanOrEqual(200);
    const before = d.staleness();
    await new Promise((r) => setTimeout(r, 100));
    expect(d.staleness()).toBeGreaterThan(before);
    expect(ids(d)).toEqual(['cut-a']); // last-known nodes are kept
    proxy!.restore();
    const ms = await until(
      () => saw(changes, 'removed', 'cut-a') && saw(changes, 'added', 'cut-b') && d.connected,
      10_000,
      'reconciled',
    );
    console.log(`[discovery] reconciled ${ms} ms after traffic was restored`);
    expect(ids(d)).toEqual(['cut-b']);
    expect(d.staleness()).toBe(0);
  });

  it('start retries while etcd is unreachable, and rejects with the abort reason', async () => {
    const first = await setup('disc-start', endpoints[0]!, true);
    first.proxy!.cut();
    await expect(first.d.start(AbortSignal.timeout(300))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(first.d.staleness()).toBe(Number.POSITIVE_INFINITY);
    const { ns, admin, proxy, d } = await setup('disc-start', endpoints[0]!, true);
    await admin.put(nodeKey(ns, 'x')).value(JSON.stringify(info('x')));
    proxy!.cut();
    const started = d.start();
    await new Promise((r) => setTimeout(r, 300));
    proxy!.restore();
    await started;
    expect(ids(d)).toEqual(['x']);
    await d.close();
    await d.close(); // idempotent
  });

  it('resumes after its etcd is stopped and started again, and sees a node started afterwards', async () => {
    const { ns, admin, d } = await setup('disc-restart', own.url);
    await admin.put(nodeKey(ns, 'pre')).value(JSON.stringify(info('pre')));
    await d.start();
    await until(() => d.connected, 3_000, 'connected');
    await own.down();
    await until(() => !d.connected, 5_000, 'disconnected');
    expect(ids(d)).toEqual(['pre']);
    const upAt = Date.now();
    await own.up();
    await until(() => d.connected, 15_000, 'reconnected');
    console.log(`[discovery] watch back ${Date.now() - upAt} ms after etcd ${own.how} began`);
    const node = await startNode({ id: 'after', etcd: [own.url], namespace: ns });
    await until(() => d.get('after')?.endpoints.http === node.http, 2_000, 'node seen');
    expect(ids(d)).toEqual(['after', 'pre']);
  });

  it('relists and re-watches when the revision it would resume from was compacted', async () => {
    const { ns, admin, proxy, d, lines, changes } = await setup('disc-compact', own.url, true);
    for (let i = 0; i < 10; i++) await admin.put(nodeKey(ns, `c${i}`)).value(JSON.stringify(info(`c${i}`)));
    await d.start();
    await until(() => d.connected, 3_000, 'connected');
    proxy!.cut();
    await until(() => !d.connected, 3_000, 'disconnected');
    for (let i = 10; i < 60; i++) await admin.put(nodeKey(ns, `c${i}`)).value(JSON.stringify(info(`c${i}`)));
    for (let i = 0; i < 5; i++) await admin.delete().key(nodeKey(ns, `c${i}`));
    const last = await admin
      .put(nodeKey(ns, 'c5'))
      .value(JSON.stringify(info('c5', 9)))
      .exec();
    await admin.kv.compact({ revision: last.header.revision, physical: true });
    proxy!.restore();
    const truth = Object.keys(await admin.getAll().prefix(nodesPrefix(ns)).strings())
      .map((k) => k.slice(nodesPrefix(ns).length))
      .sort();
    // etcd3 resumes from its last header revision + 1 (compacted): etcd answers `created`, then cancels it.
    const compacted = (): boolean => lines.some((l) => l.msg === 'watch start revision compacted; relisting');
    const ms = await until(
      () => compacted() && d.connected && ids(d).join() === truth.join(),
      10_000,
      'relisted after compaction',
    );
    console.log(`[discovery] relisted and re-watched ${ms} ms after a compaction at ${last.header.revision}`);
    expect(BigInt(d.revision)).toBeGreaterThanOrEqual(BigInt(last.header.revision));
    for (let i = 0; i < 5; i++) expect(saw(changes, 'removed', `c${i}`)).toBe(true);
    expect(changes.find((c) => c.type === 'updated')).toMatchObject({ node: { id: 'c5', weight: 9 } });
    expect(changes.filter((c) => c.type === 'added').length).toBe(60);
    // The new watch works: a later write arrives as an event.
    await admin.put(nodeKey(ns, 'late')).value(JSON.stringify(info('late')));
    await until(() => d.get('late') !== undefined, 2_000, 'late node seen');
  });
});
