/**
 * A Cluster with no live node (a fake node source that lists none; no etcd, no sockets): calls
 * fail with NoNodesError, but only after a turn of the event loop. A caller that retries in a loop
 * (a load generator, a worker) must not starve timers and I/O, or the discovery watch that would
 * bring nodes back never runs: an etcd relist right after a partition heals can list no node.
 */
import type { Etcd3 } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { pickerBuilder } from '../../src/client/balance/balancers.js';
import { Cluster } from '../../src/client/cluster.js';
import { NoNodesError, QuorumError } from '../../src/client/errors.js';
import { Membership } from '../../src/client/membership.js';
import { FakeSource } from '../support/fake-node-source.js';

function emptyCluster(): Cluster {
  const source = new FakeSource();
  const membership = new Membership(pickerBuilder('p2c'), {
    transport: 'tcp',
    connections: 1,
    pipeline: 32,
    maxBatch: 128,
    connectTimeoutMs: 1_000,
  });
  membership.attach(source);
  const etcd = { close: () => undefined } as unknown as Etcd3;
  return new Cluster(etcd, source, membership, { etcd: [], namespace: 'unit' });
}

/** failUntilTimer retries `call` until a 0 ms timer set before the first try has fired (at most 10,000 tries). */
async function failUntilTimer(
  call: () => Promise<unknown>,
): Promise<{ timerFired: boolean; errors: unknown[] }> {
  let timerFired = false;
  setTimeout(() => {
    timerFired = true;
  }, 0);
  const errors: unknown[] = [];
  for (let i = 0; i < 10_000 && !timerFired; i++) errors.push(await call().catch((e: unknown) => e));
  return { timerFired, errors };
}

describe('Cluster with no live node', () => {
  const params = { A: 7, B: 8 };

  it.each([
    ['call', NoNodesError, (c: Cluster) => c.call('Arith.Multiply', params)],
    ['callWithNode', NoNodesError, (c: Cluster) => c.callWithNode('Arith.Multiply', params)],
    ['all', NoNodesError, (c: Cluster) => c.all('Arith.Multiply', params)],
    ['any', NoNodesError, (c: Cluster) => c.any('Arith.Multiply', params)],
    ['quorum', QuorumError, (c: Cluster) => c.quorum('Arith.Multiply', params, { k: 1 })],
  ])(
    '%s rejects (NoNodesError, or QuorumError without answers) after an event-loop turn, so a retry loop lets timers run',
    async (_, kind, call) => {
      const cluster = emptyCluster();
      const { timerFired, errors } = await failUntilTimer(() => call(cluster));
      expect(timerFired).toBe(true);
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) expect(e).toBeInstanceOf(kind);
      await cluster.close();
    },
  );

  it('callMany resolves with NoNodesError outcomes after an event-loop turn', async () => {
    const cluster = emptyCluster();
    const { timerFired, errors } = await failUntilTimer(async () => {
      const [outcome] = await cluster.callMany([{ method: 'Arith.Multiply', params }]);
      throw outcome?.ok === false ? outcome.error : new Error('expected a failed outcome');
    });
    expect(timerFired).toBe(true);
    for (const e of errors) expect(e).toBeInstanceOf(NoNodesError);
    await cluster.close();
  });
});
