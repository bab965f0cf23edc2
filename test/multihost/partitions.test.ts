/**
 * Partitions between hosts: every etcd member, node and the client in a network namespace of its
 * own (test/support/netns.ts), nodes binding 0.0.0.0 and advertising their host address, traffic
 * cut with iptables DROP rules. Each scenario prints failed calls, time to drop, time to recover.
 * Needs root, iproute2 and iptables (CI has them); elsewhere it skips with one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueNamespace } from '../support/namespace.js';
import { type NetHost, Netns, netnsUnavailable } from '../support/netns.js';
import {
  type ClientOnHost,
  failedBetween,
  type NodeOnHost,
  startClientOn,
  startEtcdOn,
  startNodeOn,
} from '../support/netns-cluster.js';

const why = netnsUnavailable();
if (why && process.env.CI) throw new Error(`multihost tests must run in CI, but: ${why}`);
if (why) console.log(`[multihost] skipped: ${why}`);

/** DEADLINE_MS: the load clients' call deadline, short so that a cut link costs seconds, not tens. */
const DEADLINE_MS = 3_000;
/** CALLERS: the load client's concurrent callers (netns-client.mjs's default CLIENT_CONCURRENCY). */
const CALLERS = 16;

function report(name: string, figures: Record<string, unknown>): void {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${v === undefined ? 'n/a' : v}`);
  console.log(`[multihost] ${name}: ${parts.join(' ')}`);
}

/** logAt: the time of a node's pino log line (ms), or NaN when it is not one. */
function logAt(line: string): number {
  try {
    return Date.parse((JSON.parse(line) as { time?: string }).time ?? '');
  } catch {
    return Number.NaN;
  }
}

/** linesAfter: a node's log lines with `msg` logged at or after `from`. */
function linesAfter(node: NodeOnHost, msg: string, from: number): number[] {
  return node.proc
    .lines()
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map(logAt)
    .filter((t) => t >= from);
}

/** calls: whether a sample saw calls answered by `id`. */
const calls = (id: string) => (t: { byNode: Record<string, number> }) => (t.byNode[id] ?? 0) > 0;

describe.skipIf(Boolean(why))('one etcd, three nodes, one client, each on its own host', () => {
  let net: Netns;
  const cleanups: Array<() => unknown> = [];
  const namespace = uniqueNamespace('mh');
  let etcdUrl = '';
  let cli: NetHost;
  let nodes: NodeOnHost[] = [];
  let spare: NetHost;
  const etcd = () => net.hosts[0] as NetHost;

  beforeAll(async () => {
    net = Netns.create();
    const e0 = net.host('etcd0');
    const hosts = ['n1', 'n2', 'n3'].map((n) => net.host(n));
    spare = net.host('n4');
    cli = net.host('cli');
    etcdUrl = (await startEtcdOn(net, [e0], cleanups))[0]?.url ?? '';
    nodes = await Promise.all(hosts.map((h) => startNodeOn(net, h, { etcd: [etcdUrl], namespace })));
  });

  afterAll(async () => {
    net?.close();
    for (const fn of cleanups.reverse()) await fn();
  });

  const client = (): Promise<ClientOnHost> =>
    startClientOn(net, cli, {
      etcd: [etcdUrl],
      namespace,
      nodes: 3,
      extra: { CLIENT_DEADLINE_MS: String(DEADLINE_MS) },
    });

  it('a node cut off from etcd only: its key expires, clients stop picking it, it re-registers after healing', async () => {
    const [n1] = nodes as [NodeOnHost];
    const c = await client();
    await c.waitTick(calls('n1'), 0);
    const cutAt = Date.now();
    net.cut(n1.host, etcd());
    const dropped = await c.waitTick((t) => !t.nodes.includes('n1'), cutAt, 15_000);
    // Six more samples after the one that dropped it (the first may still finish calls in flight).
    await c.waitTick(() => true, dropped.t + 600);
    const healAt = Date.now();
    net.heal(n1.host, etcd());
    const back = await c.waitTick((t) => t.nodes.includes('n1') && calls('n1')(t), healAt, 20_000);
    const summary = await c.summary();
    // A tick counts the calls answered since the last one: the first tick after the drop may still
    // count answers to calls n1 had in flight when the sample at the drop was taken (at most one per
    // caller); every later one must not see n1 at all.
    const [first, ...afterDrop] = c.ticks().filter((t) => t.t > dropped.t && t.t < healAt);
    report('node cut from etcd', {
      failed: summary.failed,
      dropMs: dropped.t - cutAt,
      recoverMs: back.t - healAt,
      inFlightAtDrop: first?.byNode.n1 ?? 0,
      callsToCutNodeAfterDrop: afterDrop.reduce((a, t) => a + (t.byNode.n1 ?? 0), 0),
    });
    expect(first?.byNode.n1 ?? 0).toBeLessThanOrEqual(CALLERS);
    expect(afterDrop.length).toBeGreaterThanOrEqual(4);
    expect(afterDrop.filter(calls('n1'))).toEqual([]);
    expect(summary.failed).toBe(0);
    await n1.proc.waitFor(/"msg":"re-registered"/, 1_000);
  });

  it('a node cut off from the client only (reporting: per-attempt timeouts and pings are issue 12)', async () => {
    const [n1] = nodes as [NodeOnHost];
    const c = await client();
    await c.waitTick(calls('n1'), 0);
    const cutAt = Date.now();
    net.cut(cli, n1.host);
    // Hold the cut for 8 s of samples (past the client's 3 s deadline, so stuck calls resolve).
    await c.waitTick(() => true, cutAt + 8_000, 15_000);
    const healAt = Date.now();
    net.heal(cli, n1.host);
    const back = await c.waitTick(calls('n1'), healAt, 30_000).catch(() => undefined);
    const summary = await c.summary();
    const ticks = c.ticks();
    const during = ticks.filter((t) => t.t > cutAt && t.t <= healAt);
    const before = ticks.filter((t) => t.t <= cutAt);
    const lastFailure = during.filter((t) => t.failed > 0).at(-1);
    const rate = (ts: typeof ticks) => Math.round((ts.reduce((a, t) => a + t.ok, 0) / (ts.length || 1)) * 10);
    report('node cut from client', {
      failed: summary.failed,
      failedDuringCut: failedBetween(ticks, cutAt, healAt),
      dropMs: lastFailure ? lastFailure.t - cutAt : 0,
      recoverMs: back ? back.t - healAt : 'not within 30 s',
      callsPerSecBefore: rate(before),
      callsPerSecDuringCut: rate(during),
      errors: JSON.stringify(summary.errors),
    });
    // Reporting, not asserting 0 failures: until issue 12 lands a silent node costs its calls.
    expect(back, 'the node is called again once the link heals').toBeDefined();
  });

  it('the client cut off from etcd keeps calling the last-known nodes: 0 failures', async () => {
    const c = await client();
    await c.waitTick((t) => t.ok > 0, 0);
    const cutAt = Date.now();
    net.cut(cli, etcd());
    const n4 = await startNodeOn(net, spare, { etcd: [etcdUrl], namespace });
    // Keep the cut for 2 TTLs of the nodes after n4 registered: the client cannot have seen it.
    await c.waitTick(() => true, Date.now() + 4_000, 10_000);
    const healAt = Date.now();
    net.heal(cli, etcd());
    const back = await c.waitTick((t) => t.nodes.includes('n4'), healAt, 30_000);
    const summary = await c.summary();
    const ticks = c.ticks();
    const disconnected = ticks.find((t) => t.t > cutAt && !t.etcd);
    report('client cut from etcd', {
      failed: summary.failed,
      dropMs: disconnected ? disconnected.t - cutAt : 'etcdConnected stayed true during the cut',
      recoverMs: back.t - healAt,
      sawNewNodeDuringCut: ticks.some((t) => t.t > cutAt && t.t < healAt && t.nodes.includes('n4')),
    });
    expect(summary.failed).toBe(0);
    await n4.proc.stop();
  });

  it('a full partition heals: every node re-registers and calls succeed again', {
    timeout: 120_000,
  }, async () => {
    const c = await client();
    await c.waitTick((t) => t.ok > 0, 0);
    const cutAt = Date.now();
    for (const h of net.hosts) net.isolate(h);
    await (nodes[0] as NodeOnHost).proc.waitFor(
      (l) => l.includes('"msg":"lease lost"') && logAt(l) >= cutAt,
      15_000,
    );
    const down = await c.waitTick((t) => t.ok === 0, cutAt, 15_000);
    const healAt = Date.now();
    net.healAll();
    const back = await c.waitTick((t) => t.ok > 0 && t.failed === 0 && t.nodes.length === 3, healAt, 30_000);
    await Promise.all(
      nodes.map((n) =>
        n.proc.waitFor((l) => l.includes('"msg":"re-registered"') && logAt(l) >= healAt, 20_000),
      ),
    );
    const reregisteredAt = Math.max(...nodes.map((n) => Math.min(...linesAfter(n, 're-registered', healAt))));
    const summary = await c.summary();
    report('full partition', {
      failed: summary.failed,
      dropMs: down.t - cutAt,
      recoverMs: back.t - healAt,
      allReregisteredMs: reregisteredAt - healAt,
    });
    expect(back.ok).toBeGreaterThan(0);
  });
});

describe.skipIf(Boolean(why))('three etcd members, one partitioned away during a bulk job', () => {
  let net: Netns;
  const cleanups: Array<() => unknown> = [];
  const namespace = uniqueNamespace('mh3');
  let urls: string[] = [];
  let members: NetHost[] = [];
  let nodes: NodeOnHost[] = [];
  let cli: NetHost;

  beforeAll(async () => {
    net = Netns.create();
    members = ['e0', 'e1', 'e2'].map((n) => net.host(n));
    const hosts = ['n1', 'n2', 'n3'].map((n) => net.host(n));
    cli = net.host('cli');
    urls = (await startEtcdOn(net, members, cleanups)).map((m) => m.url);
    // Each node lists the member that will be cut first, so its client is likely attached to it.
    nodes = await Promise.all(hosts.map((h) => startNodeOn(net, h, { etcd: urls, namespace })));
  });

  afterAll(async () => {
    net?.close();
    for (const fn of cleanups.reverse()) await fn();
  });

  it('nodes keep or regain registration through the majority; cluster.map stores every result once', async () => {
    const n = 10_000;
    const job = await startClientOn(net, cli, {
      etcd: urls,
      namespace,
      nodes: 3,
      mode: 'map',
      extra: { CLIENT_N: String(n) },
    });
    await job.proc.waitFor(/"type":"progress"/, 20_000);
    const cutAt = Date.now();
    net.isolate(members[0] as NetHost);
    const summary = await job.summary();
    // Still partitioned: a client of the majority alone must find all three nodes registered.
    const check = await startClientOn(net, cli, { etcd: urls.slice(1), namespace, nodes: 3 });
    await check.summary();
    const healAt = Date.now();
    net.healAll();
    const progress = job.proc
      .lines()
      .filter((l) => l.includes('"type":"progress"'))
      .map((l) => JSON.parse(l) as { t: number; stored: number });
    let stallMs = 0;
    for (let i = 1, last = progress[0]; i < progress.length; i++) {
      const p = progress[i] as { t: number; stored: number };
      if (last && p.stored > last.stored) {
        stallMs = Math.max(stallMs, p.t - last.t);
        last = p;
      }
    }
    const lost = nodes.flatMap((nd) => linesAfter(nd, 'lease lost', cutAt));
    const regained = nodes.flatMap((nd) => linesAfter(nd, 're-registered', cutAt));
    report('etcd minority partitioned', {
      failed: summary.failed,
      stored: summary.stored,
      skipped: summary.skipped,
      conflicts: summary.conflicts,
      keys: summary.keys,
      notOnce: summary.notOnce,
      leasesLost: lost.length,
      dropMs: lost.length ? Math.min(...lost) - cutAt : 'no lease lost',
      recoverMs: regained.length ? Math.max(...regained) - cutAt : 'kept registration',
      longestStallMs: stallMs,
      jobSeconds: summary.seconds,
      healedAfterMs: healAt - cutAt,
    });
    expect(summary.failed).toBe(0);
    expect(summary.keys).toBe(n);
    expect(summary.notOnce).toBe(0);
    expect(summary.conflicts).toBe(0);
    expect((summary.stored as number) + (summary.skipped as number)).toBe(n);
  });
});
