import { randomBytes } from 'node:crypto';
import { waitHealthy as waitUntilHealthy } from '../../src/cli/etcd-health.js';
import { freePorts } from './free-port.js';

export { findOnPath } from '../../src/cli/etcd-health.js';

/** EtcdMode names where an etcd endpoint came from. */
export type EtcdMode = 'env' | 'testcontainers' | 'binary';

/** MemberSpec is one member's identity and loopback addresses, fixed across restarts. */
export interface MemberSpec {
  name: string;
  clientUrl: string;
  peerUrl: string;
  /** initialCluster is the `--initial-cluster` value shared by every member. */
  initialCluster: string;
  clusterToken: string;
  /**
   * electionMs: etcd's `--election-timeout` (heartbeat a tenth of it); etcd's default is 1000,
   * with which raft elects a new leader 1–2 s after a leader dies (the timeout is randomized
   * over [election, 2×election)): the floor of any write stall after a leader loss.
   */
  electionMs?: number | undefined;
  /** extraArgs: more etcd flags for this member (e.g. `--max-txn-ops=16`). */
  extraArgs?: readonly string[] | undefined;
}

/** EtcdMember is one running (or stopped) member, as the launchers hand it back. */
export interface EtcdMember {
  name: string;
  clientUrl: string;
  /** stop stops the member gracefully (SIGTERM, SIGKILL after a timeout), keeping its data. */
  stop(): Promise<void>;
  /** kill stops the member with SIGKILL at once, keeping its data (a crash). */
  kill(): Promise<void>;
  /**
   * start starts a stopped member again with the same name, ports and data dir, and resolves
   * once it answers /health, which needs a quorum: after losing quorum, start members together
   * (`Promise.all`), not one after the other.
   */
  start(): Promise<void>;
  /** running tells whether the member is started (as far as the harness knows). */
  running(): boolean;
  /** pid is the member's process id while it runs (binary members only). */
  readonly pid?: number | undefined;
  /** pause freezes the member with SIGSTOP: it keeps its connections but answers nothing (binary members only). */
  pause?(): void;
  /** resume sends SIGCONT to a paused member (binary members only). */
  resume?(): void;
  /** remove stops the member if needed and deletes its data and container for good. */
  remove(): Promise<void>;
}

/** STARTUP_TIMEOUT_MS bounds how long one member (or cluster) may take to become healthy. */
export const STARTUP_TIMEOUT_MS = Number(process.env.ETCD_STARTUP_TIMEOUT_MS ?? 60_000);

/** randomSuffix returns a short random hex string for names, tokens and dirs. */
export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** memberSpecs picks free loopback ports and builds the specs for a cluster of `size` members. */
export async function memberSpecs(size: number, electionMs?: number): Promise<MemberSpec[]> {
  const ports = await freePorts(size * 2);
  const suffix = randomSuffix();
  const members = Array.from({ length: size }, (_, i) => ({
    name: `etcd${i}-${suffix}`,
    clientUrl: `http://127.0.0.1:${ports[2 * i]}`,
    peerUrl: `http://127.0.0.1:${ports[2 * i + 1]}`,
  }));
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  return members.map((m) => ({ ...m, initialCluster, clusterToken: `arith-${suffix}`, electionMs }));
}

/** etcdArgs returns the etcd flags (without the program name) for one member. */
export function etcdArgs(spec: MemberSpec, dataDir: string): string[] {
  return [
    `--name=${spec.name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${spec.clientUrl}`,
    `--advertise-client-urls=${spec.clientUrl}`,
    `--listen-peer-urls=${spec.peerUrl}`,
    `--initial-advertise-peer-urls=${spec.peerUrl}`,
    `--initial-cluster=${spec.initialCluster}`,
    `--initial-cluster-token=${spec.clusterToken}`,
    '--initial-cluster-state=new',
    ...(spec.electionMs
      ? [`--election-timeout=${spec.electionMs}`, `--heartbeat-interval=${Math.round(spec.electionMs / 10)}`]
      : []),
    ...(spec.extraArgs ?? []),
  ];
}

/** waitHealthy is the shared health wait with the harness's default startup timeout. */
export function waitHealthy(
  clientUrl: string,
  timeoutMs = STARTUP_TIMEOUT_MS,
  failed: () => Error | undefined = () => undefined,
): Promise<void> {
  return waitUntilHealthy(clientUrl, timeoutMs, failed);
}

/** MemberStatus is the part of `/v3/maintenance/status` the harness reads (ids as decimal strings). */
interface MemberStatus {
  header?: { member_id?: string };
  leader?: string;
}

/** memberStatus asks one member for its id and its view of the leader id; undefined if it does not answer. */
async function memberStatus(clientUrl: string): Promise<{ id: string; leader: string } | undefined> {
  try {
    const res = await fetch(`${clientUrl}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(1_000),
    });
    if (!res.ok) return undefined;
    const body = (await res.json()) as MemberStatus;
    const id = body.header?.member_id;
    return id === undefined ? undefined : { id, leader: body.leader ?? '0' };
  } catch {
    return undefined;
  }
}

/**
 * findLeader returns the name of the member that the running members agree leads, polling
 * until that member itself answers as leader (elections take about a second) or timeoutMs.
 */
export async function findLeader(members: readonly EtcdMember[], timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = members.filter((m) => m.running());
    const statuses = await Promise.all(live.map(async (m) => ({ m, s: await memberStatus(m.clientUrl) })));
    for (const { m, s } of statuses) {
      if (s && s.leader !== '0' && s.id === s.leader) return m.name;
    }
    if (Date.now() > deadline) {
      throw new Error(`no etcd leader among ${live.map((m) => m.name).join(', ') || 'no running members'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
