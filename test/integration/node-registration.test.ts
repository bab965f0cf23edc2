import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseNodeInfo } from '../../src/index.js';
import { nodeKey } from '../../src/registry/keys.js';
import { uniqueNamespace } from '../support/namespace.js';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const namespace = uniqueNamespace('registration');
let etcd: Etcd3;

/** poll re-runs `probe` every 20 ms until it returns a value that isn't undefined; resolves with elapsed ms. */
async function poll<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function leaseOf(node: NodeProcess): Promise<string | undefined> {
  const res = await etcd.get(nodeKey(namespace, node.id)).exec();
  const kv = res.kvs[0];
  return kv && kv.lease !== '0' ? kv.lease : undefined;
}

beforeAll(() => {
  etcd = new Etcd3({ hosts: endpoints });
});

afterAll(async () => {
  await stopAllNodes();
  await etcd.delete().prefix(`/${namespace}/`).exec();
  etcd.close();
});

describe('arith-node registration in etcd', () => {
  it('puts a valid NodeInfo under a lease with the configured TTL once it listens', async () => {
    const node = await startNode({ etcd: endpoints, namespace, ttl: 7 });
    const text = await etcd.get(nodeKey(namespace, node.id)).string();
    const info = parseNodeInfo(text ?? '');
    if (info instanceof Error) throw info;
    expect(info).toMatchObject({ v: 1, id: node.id, pid: node.pid, weight: 1 });
    expect(info.endpoints.http).toBe(node.http);
    expect(info.endpoints.tcp).toBe(`127.0.0.1:${node.tcpPort}`);
    expect(info.methods).toContain('Arith.Multiply');
    const lease = await leaseOf(node);
    expect(lease).toBeDefined();
    const ttl = await etcd.leaseClient.leaseTimeToLive({ ID: lease! });
    expect(Number(ttl.grantedTTL)).toBe(7);
    expect(Number(ttl.TTL)).toBeGreaterThan(4);
    const ready = await fetch(`${node.http}/readyz`);
    expect(ready.status).toBe(200);
    await node.stop();
  });

  it('re-registers under a new lease when its lease is revoked from outside', async () => {
    const node = await startNode({ etcd: endpoints, namespace, ttl: 5 });
    const first = await leaseOf(node);
    await etcd.leaseClient.leaseRevoke({ ID: first! });
    const { value: second, ms } = await poll(async () => {
      const lease = await leaseOf(node);
      return lease && lease !== first ? lease : undefined;
    }, 5_000);
    expect(second).not.toBe(first);
    expect(ms).toBeLessThan(5_000);
    await node.waitFor('re-registered');
    await node.stop();
  });

  it('puts its key back when the key is deleted while its lease lives', async () => {
    const node = await startNode({ etcd: endpoints, namespace, ttl: 5 });
    const lease = await leaseOf(node);
    await etcd.delete().key(nodeKey(namespace, node.id)).exec();
    const { value } = await poll(() => leaseOf(node), 3_000);
    expect(value).toBe(lease);
    await node.stop();
  });

  it('removes its key within 1 s of SIGTERM and exits 0', async () => {
    const node = await startNode({ etcd: endpoints, namespace, ttl: 10 });
    const sent = Date.now();
    node.child.kill('SIGTERM');
    const { ms } = await poll(async () => ((await leaseOf(node)) === undefined ? true : undefined), 1_000);
    expect(ms).toBeLessThan(1_000);
    expect(await node.exited).toBe(0);
    expect(Date.now() - sent).toBeLessThan(3_000);
    expect(node.logs().some((l) => l.includes('"msg":"closed"'))).toBe(true);
  });

  it('disappears within TTL + 2 s after kill -9', async () => {
    const ttl = 3;
    const node = await startNode({ etcd: endpoints, namespace, ttl });
    const killed = Date.now();
    await node.stop('SIGKILL');
    await poll(async () => ((await leaseOf(node)) === undefined ? true : undefined), (ttl + 2) * 1000);
    expect(Date.now() - killed).toBeLessThan((ttl + 2) * 1000);
  });

  it('exits with code 2 and a one-line message on a bad flag value', async () => {
    await expect(startNode({ etcd: endpoints, namespace, args: ['--ttl', 'ten'] })).rejects.toThrow(
      /exited \(2\)[\s\S]*--ttl: expected a whole number/,
    );
  });
});

describe('arith-node when etcd is unreachable', () => {
  it('detects the lost lease within one TTL and re-registers once etcd is back', async () => {
    const { TcpProxy } = await import('../support/tcp-proxy.js');
    const proxy = TcpProxy.fromUrl(endpoints[0]!);
    await proxy.listen();
    const ttl = 3;
    const node = await startNode({ etcd: [proxy.url], namespace, ttl });
    const first = await leaseOf(node);
    const cutAt = Date.now();
    proxy.cut();
    await node.waitFor('lease lost', (ttl + 2) * 1000);
    const detectedMs = Date.now() - cutAt;
    expect(detectedMs).toBeLessThanOrEqual(ttl * 1000 + 1_000);
    // etcd itself expires the old lease; no other node-side write happens while cut.
    await poll(async () => ((await leaseOf(node)) === undefined ? true : undefined), (ttl + 2) * 1000);
    proxy.restore();
    const { value: second } = await poll(() => leaseOf(node), 10_000);
    expect(second).not.toBe(first);
    const warnings = node.logs().filter((l) => l.includes('registration failed'));
    expect(warnings.length).toBeLessThan(5); // one line per failure streak, no storm
    await node.stop();
    await proxy.close();
  });
});
