/**
 * discovery: list + watch of /<ns>/nodes/ against the shared real etcd, with real arith-node
 * processes joining and leaving, invalid values, writes racing the start, and 300 nodes.
 */
import { Writable } from 'node:stream';
import type { Etcd3 } from 'etcd3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger, type Logger } from '../../src/logger.js';
import { Discovery } from '../../src/registry/discovery.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { nodeKey, nodesPrefix } from '../../src/registry/keys.js';
import type { NodeChange, NodeInfo } from '../../src/registry/types.js';
import { uniqueNamespace } from '../support/namespace.js';
import { startNode, stopAllNodes } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const etcd: Etcd3 = createEtcdClient({ endpoints });
const opened: Discovery[] = [];
const namespaces: string[] = [];

/** info is a synthetic, valid NodeInfo. */
function info(id: string, weight = 1): NodeInfo {
  const endpoints = { http: 'http://127.0.0.1:1', tcp: '127.0.0.1:1' };
  return {
    v: 1,
    id,
    endpoints,
    methods: ['Arith.Multiply'],
    weight,
    version: '0',
    startedAt: '',
    pid: 1,
    hostname: 'h',
  };
}

/** capture is a debug logger whose JSON lines are kept in `lines`. */
function capture(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

/** discovery starts a Discovery on a fresh namespace (or `ns`) and keeps it for afterAll. */
async function discovery(name: string, logger?: Logger): Promise<{ d: Discovery; ns: string }> {
  const ns = uniqueNamespace(name);
  namespaces.push(ns);
  const d = new Discovery({ client: etcd, namespace: ns, ...(logger ? { logger } : {}) });
  opened.push(d);
  return { d, ns };
}

/** changed resolves with the time of the first `change` matching type and id, or rejects after timeoutMs. */
function changed(d: Discovery, type: NodeChange['type'], id: string, timeoutMs = 5_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} ${id} within ${timeoutMs} ms`)), timeoutMs);
    const on = (c: NodeChange): void => {
      if (c.type !== type || c.node.id !== id) return;
      clearTimeout(timer);
      d.off('change', on);
      resolve(Date.now());
    };
    d.on('change', on);
  });
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
  await stopAllNodes();
  for (const ns of namespaces) await etcd.delete().prefix(`/${ns}/`).exec();
  etcd.close();
});

describe('Discovery with real arith-node processes', () => {
  it('sees a node that starts after it, and drops it on SIGTERM, each within 500 ms', async () => {
    const { d, ns } = await discovery('disc-join');
    await d.start();
    expect(d.nodes()).toEqual([]);
    await until(() => d.connected, 2_000);
    const added = changed(d, 'added', 'join-1');
    const node = await startNode({ id: 'join-1', etcd: endpoints, namespace: ns });
    const registeredAt = Date.parse(JSON.parse(await node.waitFor('registered')).time);
    const joinMs = (await added) - registeredAt;
    expect(d.get('join-1')?.endpoints.http).toBe(node.http);
    const removed = changed(d, 'removed', 'join-1');
    const killedAt = Date.now();
    node.child.kill('SIGTERM');
    const leaveMs = (await removed) - killedAt;
    console.log(
      `[discovery] join latency ${joinMs} ms (registered log -> added), leave ${leaveMs} ms (SIGTERM -> removed)`,
    );
    expect(joinMs).toBeLessThan(500);
    expect(leaveMs).toBeLessThan(500);
    expect(d.nodes()).toEqual([]);
    await node.exited;
  });

  it('drops a kill -9 node (ttl 2) within ttl + 2 s', async () => {
    const { d, ns } = await discovery('disc-kill9');
    await d.start();
    const added = changed(d, 'added', 'k9');
    const node = await startNode({ id: 'k9', etcd: endpoints, namespace: ns, ttl: 2 });
    await added;
    const removed = changed(d, 'removed', 'k9', 6_000);
    const killedAt = Date.now();
    await node.stop('SIGKILL');
    const ms = (await removed) - killedAt;
    console.log(`[discovery] kill -9 (ttl 2) -> removed in ${ms} ms`);
    expect(ms).toBeLessThan(4_000);
  });
});

describe('Discovery against etcd values', () => {
  it('skips an invalid value with one warning, keeps the others, and adds it once fixed', async () => {
    const { logger, lines } = capture();
    const { d, ns } = await discovery('disc-invalid', logger);
    await etcd.put(nodeKey(ns, 'bad')).value('{"v":1,"id":"bad"}');
    await etcd.put(nodeKey(ns, 'good')).value(JSON.stringify(info('good')));
    await d.start();
    expect(d.nodes().map((n) => n.id)).toEqual(['good']);
    await etcd.put(nodeKey(ns, 'good2')).value(JSON.stringify(info('good2')));
    await until(() => d.get('good2') !== undefined, 2_000);
    const warnings = lines.filter(
      (l) => l.msg === 'skipping invalid node value' && l.key === nodeKey(ns, 'bad'),
    );
    expect(warnings).toHaveLength(1);
    const added = changed(d, 'added', 'bad');
    await etcd.put(nodeKey(ns, 'bad')).value(JSON.stringify(info('bad')));
    await added;
    expect(d.nodes().map((n) => n.id)).toEqual(['bad', 'good', 'good2']);
    // A valid value turning invalid counts as removed (one more warning, for the new modRevision).
    const removed = changed(d, 'removed', 'good');
    await etcd.put(nodeKey(ns, 'good')).value('not json');
    await removed;
    expect(lines.filter((l) => l.msg === 'skipping invalid node value')).toHaveLength(2);
  });

  it('emits updated with the previous value when a node changes', async () => {
    const { d, ns } = await discovery('disc-update');
    await etcd.put(nodeKey(ns, 'u')).value(JSON.stringify(info('u', 1)));
    await d.start();
    const seen = new Promise<NodeChange>((resolve) => d.once('change', resolve));
    await etcd.put(nodeKey(ns, 'u')).value(JSON.stringify(info('u', 3)));
    expect(await seen).toEqual({ type: 'updated', node: info('u', 3), previous: info('u', 1) });
  });

  it('loses no event written between the list and the watch', async () => {
    const { d, ns } = await discovery('disc-race');
    let stop = false;
    let lastRevision = 0n;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const id = `r${i % 40}`;
        const res =
          i % 3 === 2
            ? await etcd.delete().key(nodeKey(ns, id)).exec()
            : await etcd
                .put(nodeKey(ns, id))
                .value(JSON.stringify(info(id, (i % 7) + 1)))
                .exec();
        lastRevision = BigInt(res.header.revision);
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await d.start(); // the writes in flight now fall between the list and the watch's creation
    await new Promise((r) => setTimeout(r, 5));
    stop = true;
    await writer;
    await until(() => BigInt(d.revision) >= lastRevision, 3_000);
    const fresh = await etcd.getAll().prefix(nodesPrefix(ns)).strings();
    const truth = Object.values(fresh)
      .map((v) => JSON.parse(v) as NodeInfo)
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(truth.length).toBeGreaterThan(0);
    expect(d.nodes()).toEqual(truth);
  });

  it('discovers 300 registered nodes', async () => {
    const { d, ns } = await discovery('disc-300');
    const ids = Array.from({ length: 300 }, (_, i) => `n${String(i).padStart(3, '0')}`);
    await Promise.all(
      ids.map((id) =>
        etcd
          .put(nodeKey(ns, id))
          .value(JSON.stringify(info(id)))
          .exec(),
      ),
    );
    let synced = 0;
    d.on('synced', (s) => {
      synced = s.nodes;
    });
    const started = Date.now();
    await d.start();
    const ms = Date.now() - started;
    console.log(`[discovery] initial list of 300 nodes took ${ms} ms`);
    expect(synced).toBe(300);
    expect(d.nodes().map((n) => n.id)).toEqual(ids);
  });
});
