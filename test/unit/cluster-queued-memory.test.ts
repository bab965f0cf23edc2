/**
 * What a call waiting for a `maxInflight` slot costs: with 100,000 calls pending most of them wait
 * in the limiter's queue, so a waiting `call` must be one small record and its caller's promise
 * (no closure per call, no suspended async function, no promise of the limiter's own). Measured
 * on the V8 heap after a full collection, with the one slot held so that every call waits.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/client/cluster.js';
import { ClusterClosedError } from '../../src/client/errors.js';
import { Limiter } from '../../src/client/limiter.js';
import { clusterOnSource, FakeSource } from '../support/fake-node-source.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function clusterWith(limiter: Limiter): Cluster {
  const source = new FakeSource();
  return clusterOnSource(source, {}, limiter);
}

describe('a call waiting for a maxInflight slot', () => {
  it('holds one record and its promise: under 600 bytes of heap each (was about 1,050)', async () => {
    const n = 20_000;
    const limiter = new Limiter(1, n);
    const cluster = clusterWith(limiter);
    expect(limiter.acquire()).toBeUndefined(); // the one slot is held: every call below waits
    const params = { A: 6, B: 7 };
    const calls: Promise<unknown>[] = new Array(n);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) calls[i] = cluster.call('Arith.Multiply', params);
    gc();
    const perCall = (process.memoryUsage().heapUsed - before) / n;
    expect(limiter.waiting).toBe(n);
    expect(perCall).toBeLessThan(600);
    await cluster.close();
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof ClusterClosedError)).toBe(
      true,
    );
  });
});
