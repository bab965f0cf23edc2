/**
 * node-key-ownership: a node owns its registry key. An outsider's put (garbage, a valid-looking
 * NodeInfo with a wrong port, the node's own value without its lease) is put back under the node's
 * lease at once and counted in `arith_registry_repairs_total`; a second process with the same `--id`
 * is refused while the first runs, and `--replace` takes the id over (the first then exits 3).
 */
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseNodeInfo } from '../../src/index.js';
import { nodeKey } from '../../src/registry/keys.js';
import { uniqueNamespace } from '../support/namespace.js';
import { nodeMetric } from '../support/node-metrics.js';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const namespace = uniqueNamespace('key-owner');
let etcd: Etcd3;

beforeAll(() => {
  etcd = new Etcd3({ hosts: endpoints });
});

afterAll(async () => {
  await stopAllNodes();
  await etcd.delete().prefix(`/${namespace}/`).exec();
  etcd.close();
});

async function keyOf(node: NodeProcess): Promise<{ value: string; lease: string } | undefined> {
  const kv = (await etcd.get(nodeKey(namespace, node.id)).exec()).kvs[0];
  return kv ? { value: kv.value.toString(), lease: kv.lease } : undefined;
}

/** until polls `probe` every 10 ms until it is true; resolves with the elapsed ms. */
async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

describe('a node owns its registry key', () => {
  it('puts back garbage, a foreign NodeInfo and its own value without its lease, counting each', async () => {
    const node = await startNode({ etcd: endpoints, namespace, ttl: 10 });
    const original = await keyOf(node);
    if (!original) throw new Error('not registered');
    const info = parseNodeInfo(original.value);
    if (info instanceof Error) throw info;
    const wrongPort = { ...info, endpoints: { ...info.endpoints, tcp: '127.0.0.1:1' } };
    const variants: Array<[string, string]> = [
      ['garbage', '{"garbage":1}'],
      ['foreign NodeInfo', JSON.stringify(wrongPort)],
      ['own value without a lease', original.value],
    ];
    const times: string[] = [];
    for (const [name, value] of variants) {
      await etcd.put(nodeKey(namespace, node.id)).value(value).exec(); // no lease: it would outlive the node
      const ms = await until(
        async () => {
          const now = await keyOf(node);
          return now?.value === original.value && now.lease === original.lease;
        },
        10_000,
        `${name} repaired`,
      );
      times.push(`${name} ${ms} ms`);
    }
    const load = (await import('node:os')).loadavg().map((l) => l.toFixed(1));
    console.log(`[key-owner] repaired: ${times.join(', ')} (load ${load.join(' ')})`);
    expect(await nodeMetric(node.http, 'arith_registry_repairs_total')).toBe(3);
    const logged = node.logs().filter((l) => l.includes('registry key changed from outside'));
    expect(logged).toHaveLength(3); // one line per repair
    expect(logged.map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual([
      'no-lease',
      'no-lease',
      'no-lease',
    ]);
    await node.stop();
  });

  it('puts back a value put with its own lease (etcdctl put --ignore-lease)', async () => {
    const node = await startNode({ etcd: endpoints, namespace, ttl: 10 });
    const original = await keyOf(node);
    await etcd.put(nodeKey(namespace, node.id)).value('{"garbage":2}').ignoreLease().exec();
    const ms = await until(async () => (await keyOf(node))?.value === original?.value, 10_000, 'repaired');
    console.log(`[key-owner] value under its own lease repaired in ${ms} ms`);
    expect((await keyOf(node))?.lease).toBe(original?.lease);
    expect(await nodeMetric(node.http, 'arith_registry_repairs_total', 'reason="own-lease"')).toBe(1);
    await node.stop();
  });

  it('refuses a second process with the same id while the first runs; --replace takes it over', async () => {
    const first = await startNode({ id: 'dup', etcd: endpoints, namespace, ttl: 10 });
    const before = await keyOf(first);
    let refusal = '';
    await startNode({ id: 'dup', etcd: endpoints, namespace, ttl: 10 }).catch((e: Error) => {
      refusal = e.message;
    });
    expect(refusal).toMatch(/exited \(3\)/);
    const line = refusal.split('\n').filter((l) => l.startsWith('arith-node:'));
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(/node id already registered .* by pid \d+ on .*--replace/);
    expect(refusal).not.toMatch(/^\s+at /m); // no stack trace
    expect(await keyOf(first)).toEqual(before); // the first keeps its key
    expect(first.child.exitCode).toBeNull();

    const second = await startNode({ id: 'dup', etcd: endpoints, namespace, ttl: 10, args: ['--replace'] });
    expect(await first.exited).toBe(3);
    const exitLine = first.logs().filter((l) => l.startsWith('arith-node:'));
    expect(exitLine).toHaveLength(1);
    expect(exitLine[0]).toMatch(
      new RegExp(`^arith-node: node id dup taken over by pid ${second.pid} on .*; exiting$`),
    );
    const after = await keyOf(second);
    expect(after?.lease).not.toBe(before?.lease);
    expect(JSON.parse(after?.value ?? '{}')).toMatchObject({ pid: second.pid });
    await second.stop();
  });
});
