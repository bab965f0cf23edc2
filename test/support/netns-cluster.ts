/**
 * The cluster's processes placed on Netns hosts: etcd members, `arith-node` processes that bind
 * 0.0.0.0 and advertise their host address, and SDK clients (netns-client.mjs) whose figures come
 * back as JSON lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findEtcdBinary } from './etcd-binary.js';
import { etcdArgs, randomSuffix } from './etcd-common.js';
import type { NetHost, Netns } from './netns.js';
import type { WatchedChild } from './netns-child.js';
import { NODE_BIN } from './process.js';

const CLIENT_SCRIPT = fileURLToPath(new URL('./netns-client.mjs', import.meta.url));

/** EtcdOnHost is one etcd member running on a host. */
export interface EtcdOnHost {
  host: NetHost;
  url: string;
  proc: WatchedChild;
}

/** startEtcdOn starts one etcd member per host as one new cluster and resolves once all serve clients. */
export async function startEtcdOn(net: Netns, hosts: readonly NetHost[], cleanups: Array<() => unknown>) {
  const bin = findEtcdBinary();
  if (!bin) throw new Error('the etcd binary is not on PATH');
  const token = `arith-mh-${randomSuffix()}`;
  const initialCluster = hosts.map((h) => `${h.name}=http://${h.ip}:2380`).join(',');
  const members: EtcdOnHost[] = hosts.map((host) => {
    const dir = mkdtempSync(join(tmpdir(), `arith-mh-${host.name}-`));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const url = `http://${host.ip}:2379`;
    const spec = {
      name: host.name,
      clientUrl: url,
      peerUrl: `http://${host.ip}:2380`,
      initialCluster,
      clusterToken: token,
    };
    const proc = net.spawn(host, bin, [
      ...etcdArgs(spec, join(dir, 'data')),
      '--heartbeat-interval=100',
      '--election-timeout=1000',
    ]);
    return { host, url, proc };
  });
  await Promise.all(members.map((m) => m.proc.waitFor(/ready to serve client requests/, 30_000)));
  return members;
}

/** NodeOnHost is one `arith-node` on a host. */
export interface NodeOnHost {
  id: string;
  host: NetHost;
  proc: WatchedChild;
}

/** startNodeOn runs `arith-node` on `host` (binds 0.0.0.0, advertises the host's address) and waits for `registered`. */
export async function startNodeOn(
  net: Netns,
  host: NetHost,
  opts: { etcd: string[]; namespace: string; ttl?: number; args?: string[] },
): Promise<NodeOnHost> {
  const id = host.name;
  const args = [
    NODE_BIN,
    ...['--id', id, '--host', '0.0.0.0', '--advertise-host', host.ip],
    ...['--port', '7070', '--tcp-port', '7071', '--etcd', opts.etcd.join(',')],
    ...['--namespace', opts.namespace, '--ttl', String(opts.ttl ?? 2)],
    ...(opts.args ?? []),
  ];
  const proc = net.spawn(host, process.execPath, args, { ETCD_ENDPOINTS: '', LOG_LEVEL: 'info' });
  await proc.waitFor(/"msg":"registered"/, 20_000);
  return { id, host, proc };
}

/** Tick is one 100 ms sample of a load client: calls that succeeded, failed, and where they went. */
export interface Tick {
  t: number;
  ok: number;
  failed: number;
  byNode: Record<string, number>;
  nodes: string[];
  etcd: boolean;
}

/** ClientOnHost is a running netns-client.mjs. */
export interface ClientOnHost {
  proc: WatchedChild;
  /** ticks: the samples so far (load mode). */
  ticks(): Tick[];
  /** waitTick resolves with the first sample at or after `since` that satisfies `test`. */
  waitTick(test: (t: Tick) => boolean, since: number, timeoutMs?: number): Promise<Tick>;
  /** summary stops a load client (or waits for a map client) and resolves with its summary line. */
  summary(): Promise<Record<string, unknown>>;
}

/** startClientOn runs the SDK client on `host` and resolves once it knows `nodes` nodes. */
export async function startClientOn(
  net: Netns,
  host: NetHost,
  env: { etcd: string[]; namespace: string; nodes: number; mode?: 'load' | 'map'; extra?: NodeJS.ProcessEnv },
): Promise<ClientOnHost> {
  const proc = net.spawn(host, process.execPath, [CLIENT_SCRIPT], {
    CLIENT_ETCD: env.etcd.join(','),
    CLIENT_NAMESPACE: env.namespace,
    CLIENT_NODES: String(env.nodes),
    CLIENT_MODE: env.mode ?? 'load',
    LOG_LEVEL: 'error',
    ...env.extra,
  });
  await proc.waitFor(/"type":"ready"/, 20_000);
  const parse = (line: string): { type?: string } | undefined => {
    try {
      return JSON.parse(line) as { type?: string };
    } catch {
      return undefined;
    }
  };
  const ticks = (): Tick[] =>
    proc
      .lines()
      .map(parse)
      .filter((o): o is Tick & { type: string } => o?.type === 'tick');
  return {
    proc,
    ticks,
    waitTick: async (test, since, timeoutMs = 20_000) => {
      const line = await proc.waitFor((l) => {
        const o = parse(l) as (Tick & { type?: string }) | undefined;
        return o?.type === 'tick' && o.t >= since && test(o);
      }, timeoutMs);
      return JSON.parse(line) as Tick;
    },
    summary: async () => {
      if (env.mode !== 'map') proc.send('stop');
      const line = await proc.waitFor(/"type":"summary"/, 60_000);
      return JSON.parse(line) as Record<string, unknown>;
    },
  };
}

/** failedBetween sums the failed calls of the samples taken in [from, to]. */
export function failedBetween(ticks: readonly Tick[], from: number, to = Number.POSITIVE_INFINITY): number {
  return ticks.filter((t) => t.t >= from && t.t <= to).reduce((a, t) => a + t.failed, 0);
}
