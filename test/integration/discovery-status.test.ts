/**
 * discovery-status: the client's etcd state as users see it, against an etcd that is really stopped
 * and started again (or, without the binary, cut behind a proxy): `status` events on a Cluster,
 * the `status()` snapshot and `stats()`, and `arith nodes --watch` printing them as a process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, connect, type DiscoveryStatus } from '../../src/index.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { nodeKey } from '../../src/registry/keys.js';
import type { NodeInfo } from '../../src/registry/types.js';
import { uniqueNamespace } from '../support/namespace.js';
import { type OwnEtcd, ownEtcd } from '../support/own-etcd.js';

const ARITH_BIN = fileURLToPath(new URL('../../dist/cli/arith.js', import.meta.url));
const cleanups: Array<() => unknown> = [];
let own: OwnEtcd;

beforeAll(async () => {
  own = await ownEtcd(cleanups);
});

afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

function info(id: string): NodeInfo {
  const endpoints = { http: 'http://127.0.0.1:1', tcp: '127.0.0.1:1' };
  return { v: 1, id, endpoints, methods: [], weight: 1, version: '0', startedAt: '', pid: 1, hostname: 'h' };
}

/** namespaceWith makes a fresh namespace on the test's etcd holding one node value. */
async function namespaceWith(name: string, id: string): Promise<string> {
  const ns = uniqueNamespace(name);
  const admin = createEtcdClient({ endpoints: [own.url] });
  await admin.put(nodeKey(ns, id)).value(JSON.stringify(info(id)));
  cleanups.push(async () => {
    await admin.delete().prefix(`/${ns}/`).exec();
    admin.close();
  });
  return ns;
}

/** statusLog records a cluster's status events; `next(type)` resolves at the next one of that type. */
function statusLog(cluster: Cluster) {
  const seen: DiscoveryStatus[] = [];
  const waiters: Array<{ type: string; resolve: (s: DiscoveryStatus) => void }> = [];
  cluster.on('status', (s) => {
    seen.push(s);
    for (const w of waiters.splice(0)) {
      if (w.type === s.type) w.resolve(s);
      else waiters.push(w);
    }
  });
  const next = <T extends DiscoveryStatus['type']>(type: T, timeoutMs = 15_000) =>
    new Promise<Extract<DiscoveryStatus, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${type} status within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiters.push({
        type,
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s as Extract<DiscoveryStatus, { type: T }>);
        },
      });
    });
  return { seen, next };
}

describe('Cluster status', () => {
  it('emits disconnected when etcd stops, then relisted and connected when it is back', async () => {
    const ns = await namespaceWith('status-sdk', 'st1');
    const cluster = await connect({ etcd: [own.url], namespace: ns });
    cleanups.push(() => cluster.close());
    const log = statusLog(cluster);
    const connected = log.next('connected');
    if (!cluster.status().connected) await connected;
    const first = cluster.status();
    expect(first).toMatchObject({ connected: true, staleSince: undefined, stalenessMs: 0 });
    expect(first.relists).toBeGreaterThanOrEqual(1);
    expect(BigInt(first.revision)).toBeGreaterThan(0n);

    const disconnected = log.next('disconnected');
    const downAt = Date.now();
    await own.down();
    const down = await disconnected;
    expect(down.staleSince).toBeGreaterThanOrEqual(downAt);
    const snapshot = cluster.status();
    expect(snapshot).toMatchObject({ connected: false, staleSince: down.staleSince });
    expect(cluster.stats()).toMatchObject({ etcdConnected: false });
    expect(cluster.nodes().map((n) => n.id)).toEqual(['st1']); // last-known nodes are kept

    const from = log.seen.length;
    const relisted = log.next('relisted');
    const back = log.next('connected');
    await own.up();
    const relist = await relisted;
    await back;
    expect(relist).toMatchObject({ nodes: 1 });
    expect(log.seen.slice(from).map((s) => s.type)).toEqual(['relisted', 'connected']);
    const after = cluster.status();
    expect(after).toMatchObject({ connected: true, staleSince: undefined, stalenessMs: 0 });
    expect(after.relists).toBeGreaterThan(first.relists);
    expect(cluster.stats()).toMatchObject({ etcdConnected: true, stalenessMs: 0 });
  });
});

describe('arith nodes --watch', () => {
  it('prints the etcd status as it changes', async () => {
    const ns = await namespaceWith('status-cli', 'w1');
    const child = spawn(
      process.execPath,
      [ARITH_BIN, 'nodes', '--watch', '--interval', '3600', '--etcd', own.url, '--namespace', ns],
      { env: { ...process.env, ETCD_ENDPOINTS: '', ARITH_NAMESPACE: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise((r) => child.once('exit', r));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    });
    let out = '';
    const waiters = new Set<() => void>();
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      for (const w of waiters) w();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const printed = (pattern: RegExp, after = 0, timeoutMs = 15_000): Promise<number> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const at = out.slice(after).search(pattern);
          if (at === -1) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(after + at);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${out}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    await printed(/\bw1\b/); // the table
    await printed(/! etcd connected/);
    const mark = out.length;
    await own.down();
    const down = await printed(/! etcd disconnected: keeping 1 last-known node/, mark);
    await own.up();
    const relisted = await printed(/! etcd relisted: 1 node\(s\)/, down);
    await printed(/! etcd connected/, relisted);
    child.kill('SIGTERM');
    await exited;
  });
});
