/**
 * discovery-freeze: etcd frozen with SIGSTOP (it keeps its TCP connections, so the watch stream stays
 * open and says nothing): the client must still notice within about a second that etcd stopped
 * answering, say so in `stats()`, and keep calling the last-known nodes without a failed call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, connect } from '../../src/index.js';
import { uniqueNamespace } from '../support/namespace.js';
import { type OwnEtcd, ownEtcd } from '../support/own-etcd.js';
import { startNode, stopAllNodes } from '../support/process.js';

const cleanups: Array<() => unknown> = [];
let own: OwnEtcd;

beforeAll(async () => {
  own = await ownEtcd(cleanups);
});

afterAll(async () => {
  own?.member?.resume?.();
  await stopAllNodes();
  for (const fn of cleanups.reverse()) await fn();
});

/** until polls `check` every 20 ms; resolves with the ms it took. */
async function until(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe('etcd frozen with SIGSTOP for 12 s', () => {
  it('stats() says disconnected while frozen (target: within 2 s), staleness grows, and calls keep succeeding', async (ctx) => {
    const member = own.member;
    if (!member?.pause || !member.resume) ctx.skip(); // a container etcd cannot be frozen from here
    const namespace = uniqueNamespace('freeze');
    // A long TTL: the nodes' leases must outlive the freeze (etcd expires them on waking otherwise).
    await Promise.all(['fz-a', 'fz-b'].map((id) => startNode({ id, etcd: [own.url], namespace, ttl: 60 })));
    const cluster: Cluster = await connect({ etcd: [own.url], namespace });
    cleanups.push(() => cluster.close());
    await cluster.ready({ nodes: 2, timeoutMs: 10_000 });
    await until(() => cluster.stats().etcdConnected, 5_000, 'connected at first');

    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const callers = Array.from({ length: 8 }, async (_, i) => {
      while (!stop) {
        try {
          const r = await cluster.call('Arith.Multiply', { A: i, B: 7 });
          if (r !== i * 7) failures.push(`wrong answer ${String(r)}`);
          else ok++;
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    });

    let detectedMs = Number.NaN;
    let firstStaleness = Number.NaN;
    let staleness = Number.NaN;
    let okWhileFrozen = 0;
    let backMs = Number.NaN;
    try {
      const frozenAt = Date.now();
      member?.pause?.();
      // Noticed while still frozen: the watch alone would say nothing for ~15 s (gRPC keepalive).
      detectedMs = await until(() => !cluster.stats().etcdConnected, 11_000, 'disconnected while frozen');
      firstStaleness = cluster.stats().stalenessMs;
      await new Promise((r) => setTimeout(r, 12_000 - (Date.now() - frozenAt)));
      staleness = cluster.stats().stalenessMs;
      okWhileFrozen = ok;
      member?.resume?.();
      backMs = await until(() => cluster.stats().etcdConnected, 15_000, 'connected again');
    } finally {
      member?.resume?.();
      stop = true; // a closed cluster rejects at once: callers left running would starve the event loop
      await Promise.all(callers);
    }
    console.log(
      `[freeze] disconnected ${detectedMs} ms after SIGSTOP; staleness ${firstStaleness} → ${staleness} ms; ` +
        `${okWhileFrozen} calls ok while frozen, ${failures.length} failed; connected ${backMs} ms after SIGCONT`,
    );
    expect(staleness).toBeGreaterThan(firstStaleness);
    expect(failures).toEqual([]);
    expect(okWhileFrozen).toBeGreaterThan(0);
    expect(cluster.nodes().map((n) => n.id)).toEqual(['fz-a', 'fz-b']);
  }, 60_000);
});
