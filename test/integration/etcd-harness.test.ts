/**
 * etcd-harness: proves test/support/etcd.ts gives real, working etcd (the shared one from the
 * global setup and a 3-member cluster), and that the checks can fail (lost quorum rejects a write).
 */
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { type EtcdClusterHandle, startEtcd, startEtcdCluster } from '../support/etcd.js';
import { uniqueNamespace } from '../support/namespace.js';

const ns = uniqueNamespace('etcd-harness');

/** retry runs fn until it resolves or timeoutMs passes (elections make the first tries fail). */
async function retry<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('etcd harness: shared etcd from global setup', () => {
  const endpoints = inject('etcdEndpoints');
  const client = new Etcd3({ hosts: endpoints });
  const kv = client.namespace(`/${ns}/`);
  afterAll(() => client.close());

  it('provides loopback endpoints and a mode', () => {
    expect(['env', 'testcontainers', 'binary']).toContain(inject('etcdMode'));
    expect(endpoints.length).toBeGreaterThan(0);
    for (const e of endpoints) expect(e).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('puts, gets and deletes a key in the file namespace', async () => {
    expect(await kv.get('k').string()).toBeNull();
    await kv.put('k').value('v1');
    expect(await kv.get('k').string()).toBe('v1');
    expect(await client.get(`/${ns}/k`).string()).toBe('v1');
    await kv.delete().key('k');
    expect(await kv.get('k').string()).toBeNull();
  });
});

describe('etcd harness: mode selection', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('uses ETCD_ENDPOINTS as given in env mode, and refuses env mode without it', async () => {
    vi.stubEnv('ETCD_MODE', '');
    vi.stubEnv('ETCD_ENDPOINTS', ' http://127.0.0.1:1 , http://127.0.0.1:2 ');
    const etcd = await startEtcd();
    expect(etcd.mode).toBe('env');
    expect(etcd.endpoints).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
    await etcd.stop();
    vi.stubEnv('ETCD_ENDPOINTS', '');
    await expect(startEtcd({ forceMode: 'env' })).rejects.toThrow(/ETCD_ENDPOINTS is empty/);
    vi.stubEnv('ETCD_MODE', 'bogus');
    await expect(startEtcd()).rejects.toThrow(/ETCD_MODE=bogus/);
  });
});

describe('etcd harness: 3-member cluster', () => {
  let cluster: EtcdClusterHandle | undefined;
  const clients: Etcd3[] = [];
  const clientFor = (url: string) => {
    const c = new Etcd3({ hosts: url });
    clients.push(c);
    return c.namespace(`/${ns}/`);
  };
  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.stop();
  });

  it('replicates, survives losing its leader, restarts a member, and stops on lost quorum', async () => {
    cluster = await startEtcdCluster(3);
    const [a, b, c] = cluster.members;
    if (!a || !b || !c) throw new Error('expected 3 members');
    expect(new Set(cluster.endpoints).size).toBe(3);

    await clientFor(a.clientUrl).put('replicated').value('from-a');
    expect(await clientFor(b.clientUrl).get('replicated').string()).toBe('from-a');

    const leaderName = await cluster.leader();
    const leader = cluster.member(leaderName);
    const followers = cluster.members.filter((m) => m.name !== leaderName);
    const [f1, f2] = followers;
    if (!f1 || !f2) throw new Error('expected 2 followers');

    await leader.stop();
    expect(leader.running()).toBe(false);
    await retry(() => clientFor(f1.clientUrl).put('after-leader-loss').value('2of3').exec());
    expect(await clientFor(f2.clientUrl).get('after-leader-loss').string()).toBe('2of3');
    const newLeader = await cluster.leader();
    expect(newLeader).not.toBe(leaderName);

    await leader.start();
    expect(await retry(() => clientFor(leader.clientUrl).get('after-leader-loss').string())).toBe('2of3');

    // Lose quorum: with 1 of 3 members left, a write must not succeed.
    await f1.kill();
    await leader.kill();
    const put = clientFor(f2.clientUrl)
      .put('no-quorum')
      .value('x')
      .options({ deadline: Date.now() + 2_000 })
      .exec();
    await expect(put).rejects.toThrow();
  });
});
