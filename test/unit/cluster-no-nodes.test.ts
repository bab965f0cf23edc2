import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/client/cluster.js';
import { NoNodesError, QuorumError } from '../../src/client/errors.js';
import { clusterOnSource, FakeSource } from '../support/fake-node-source.js';

function emptyCluster(): Cluster {
  const source = new FakeSource();
  return clusterOnSource(source);
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
