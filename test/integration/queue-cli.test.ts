/**
 * queue-cli: `arith submit` and `arith jobs` as real processes against real worker nodes. The
 * submitter exits as soon as its ops are durable; the nodes finish the job; with `--results-etcd`
 * the registry etcd holds no result and no queue key.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { runArith } from '../support/cli.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { ownEtcd } from '../support/own-etcd.js';
import { startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
afterAll(() => fx.close());

async function count(
  etcd: ReturnType<typeof createEtcdClient>,
  prefix: string,
): Promise<{ n: number; notV1: number }> {
  const end = Buffer.from(prefix);
  end[end.length - 1]! += 1;
  let from = Buffer.from(prefix);
  let n = 0;
  let notV1 = 0;
  for (;;) {
    const res = await etcd.kv.range({ key: from, range_end: end, keys_only: true, limit: 10_000 });
    n += res.kvs.length;
    notV1 += res.kvs.filter((kv) => kv.version !== '1').length;
    const last = res.kvs.at(-1);
    if (!res.more || !last) return { n, notV1 };
    from = Buffer.concat([last.key, Buffer.from([0])]);
  }
}

describe('arith submit and arith jobs', () => {
  it('submit --generate 100000 returns and exits; 3 nodes finish it; 100,000 results at version 1, no queue key', async () => {
    const ns = fx.namespace('qcli');
    await Promise.all(
      ['c1', 'c2', 'c3'].map((id) =>
        startNode({ id: `${id}-${process.pid}`, etcd: endpoints, namespace: ns }),
      ),
    );
    const common = ['--etcd', endpoints.join(','), '--namespace', ns];
    const t0 = performance.now();
    const submitted = await runArith(['submit', '--generate', '100000', '--job', 'J', ...common]);
    const submitMs = performance.now() - t0;
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    expect(submitted.stdout.trim()).toBe('J');
    const watched = await runArith(['jobs', 'watch', 'J', '--json', ...common], { timeoutMs: 120_000 });
    expect(watched.code).toBe(0);
    const status = await runArith(['jobs', 'status', 'J', '--json', ...common]);
    const s = JSON.parse(status.stdout) as {
      status: string;
      done: number;
      total: number;
      stored: number;
      skipped: number;
    };
    expect(s.status).toBe('done');
    expect(s.total).toBe(100_000);
    expect(s.stored + s.skipped).toBe(100_000);
    expect(await count(fx.admin, `/${ns}/results/`)).toEqual({ n: 100_000, notV1: 0 });
    expect((await count(fx.admin, `/${ns}/queue/`)).n).toBe(0);
    const listed = await runArith(['jobs', 'list', ...common]);
    expect(listed.stdout).toMatch(/J\s+done\s+100000\s+100000/);
    console.log(`[queue-cli] submit of 100,000 ops took ${Math.round(submitMs)} ms (process start to exit)`);
  });

  it('--results-etcd: nodes register on one etcd, results and queue live on another', async () => {
    const data = await ownEtcd(fx.cleanups);
    const dataClient = createEtcdClient({ endpoints: [data.url] });
    fx.cleanups.push(() => dataClient.close());
    const ns = fx.namespace('qsplit');
    fx.cleanups.push(() => dataClient.delete().prefix(`/${ns}/`).exec());
    await Promise.all(
      ['s1', 's2'].map((id) =>
        startNode({
          id: `${id}-${process.pid}`,
          etcd: endpoints,
          namespace: ns,
          args: ['--results-etcd', data.url],
        }),
      ),
    );
    const common = ['--etcd', endpoints.join(','), '--results-etcd', data.url, '--namespace', ns];
    const submitted = await runArith(
      ['submit', '--generate', '5000', '--job', 'split', '--wait', '--json', ...common],
      {
        timeoutMs: 60_000,
      },
    );
    expect(submitted.code).toBe(0);
    expect((JSON.parse(submitted.stdout) as { status: string }).status).toBe('done');
    expect(await count(dataClient, `/${ns}/results/`)).toEqual({ n: 5_000, notV1: 0 });
    expect((await count(fx.admin, `/${ns}/results/`)).n).toBe(0);
    expect((await count(fx.admin, `/${ns}/queue/`)).n).toBe(0);
    expect((await count(fx.admin, `/${ns}/jobs/`)).n).toBe(0);
    expect((await count(fx.admin, `/${ns}/nodes/`)).n).toBe(2);
  });
});
