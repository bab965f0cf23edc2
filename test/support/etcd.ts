import { findEtcdBinary, startBinaryMembers } from './etcd-binary.js';
import { type EtcdMember, type EtcdMode, findLeader, memberSpecs } from './etcd-common.js';
import { dockerAvailable, etcdImage, startContainerMembers } from './etcd-container.js';

export type { EtcdMember, EtcdMode } from './etcd-common.js';

/** EtcdHandle is one etcd endpoint set for tests, and how to let go of it. */
export interface EtcdHandle {
  mode: EtcdMode;
  /** endpoints are client URLs such as `http://127.0.0.1:23791`. */
  endpoints: string[];
  /** image is the container image (testcontainers mode only). */
  image?: string;
  /** stop stops and deletes what startEtcd started (a no-op in env mode). */
  stop(): Promise<void>;
}

/** EtcdClusterHandle is a multi-member loopback cluster whose members can be stopped and restarted. */
export interface EtcdClusterHandle {
  mode: Exclude<EtcdMode, 'env'>;
  endpoints: string[];
  image?: string;
  members: EtcdMember[];
  /** leader resolves to the name of the member that currently leads (waiting out an election). */
  leader(): Promise<string>;
  /** member returns the member with this name, or throws. */
  member(name: string): EtcdMember;
  /** stop stops every member and deletes its data. */
  stop(): Promise<void>;
}

/** EtcdOptions chooses the mode; without forceMode, $ETCD_MODE, else the first mode that works. */
export interface EtcdOptions {
  forceMode?: EtcdMode;
  /** electionMs sets the members' election timeout (multi-member clusters; see MemberSpec.electionMs). */
  electionMs?: number;
}

const MODES: readonly EtcdMode[] = ['env', 'testcontainers', 'binary'];

function requestedMode(opts: EtcdOptions | undefined): EtcdMode | undefined {
  const mode = opts?.forceMode ?? (process.env.ETCD_MODE || undefined);
  if (mode !== undefined && !MODES.includes(mode as EtcdMode)) {
    throw new Error(`ETCD_MODE=${mode} is not one of ${MODES.join(', ')}`);
  }
  return mode as EtcdMode | undefined;
}

const HOW_TO_GET_ETCD =
  'no etcd available for tests: set ETCD_ENDPOINTS=http://127.0.0.1:2379 (an etcd you run), ' +
  'or start Docker (with ETCD_IMAGE naming a local or pullable etcd image, see .ci/etcd-image/build.sh), ' +
  'or install an etcd binary on PATH (`apt-get install etcd-server`, or set ETCD_BIN)';

/**
 * startMembers starts `size` members in the given mode, or (mode undefined) with Docker when
 * it answers and else with a local binary; when Docker fails and a binary exists it says so
 * on stderr and falls back to the binary.
 */
async function startMembers(
  size: number,
  mode: Exclude<EtcdMode, 'env'> | undefined,
  electionMs?: number,
): Promise<{ mode: Exclude<EtcdMode, 'env'>; members: EtcdMember[] }> {
  const specs = await memberSpecs(size, electionMs);
  const bin = findEtcdBinary();
  if (mode === 'binary') {
    if (!bin) throw new Error(`ETCD_MODE=binary but no etcd binary found; ${HOW_TO_GET_ETCD}`);
    return { mode, members: await startBinaryMembers(bin, specs) };
  }
  if (mode === 'testcontainers') {
    if (!(await dockerAvailable())) throw new Error('ETCD_MODE=testcontainers but no Docker engine answers');
    return { mode, members: await startContainerMembers(specs) };
  }
  if (await dockerAvailable()) {
    try {
      return { mode: 'testcontainers', members: await startContainerMembers(specs) };
    } catch (err) {
      if (!bin) throw err;
      console.warn(`[etcd] testcontainers failed, falling back to ${bin}: ${(err as Error).message}`);
    }
  }
  if (!bin) throw new Error(HOW_TO_GET_ETCD);
  return { mode: 'binary', members: await startBinaryMembers(bin, specs) };
}

/**
 * startEtcd gives a test one etcd endpoint: $ETCD_ENDPOINTS (comma-separated) when set, else
 * a single member in a Docker container (testcontainers), else a local etcd binary.
 */
export async function startEtcd(opts?: EtcdOptions): Promise<EtcdHandle> {
  const mode = requestedMode(opts);
  const fromEnv = (process.env.ETCD_ENDPOINTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (mode === 'env' || (mode === undefined && fromEnv.length > 0)) {
    if (fromEnv.length === 0) throw new Error('ETCD_MODE=env but ETCD_ENDPOINTS is empty');
    return { mode: 'env', endpoints: fromEnv, stop: async () => {} };
  }
  const started = await startMembers(1, mode);
  const [member] = started.members;
  if (!member) throw new Error('startEtcd: no member started');
  return {
    mode: started.mode,
    endpoints: [member.clientUrl],
    ...(started.mode === 'testcontainers' ? { image: etcdImage() } : {}),
    stop: () => member.remove(),
  };
}

/**
 * startEtcdCluster starts a new `size`-member etcd cluster on loopback, each member with its
 * own client and peer port. The mode is chosen as in startEtcd, except that env mode
 * (ETCD_ENDPOINTS, ETCD_MODE=env) cannot start members and is skipped.
 */
export async function startEtcdCluster(size: 3 | 5, opts?: EtcdOptions): Promise<EtcdClusterHandle> {
  const requested = requestedMode(opts);
  const started = await startMembers(size, requested === 'env' ? undefined : requested, opts?.electionMs);
  const members = started.members;
  return {
    mode: started.mode,
    endpoints: members.map((m) => m.clientUrl),
    ...(started.mode === 'testcontainers' ? { image: etcdImage() } : {}),
    members,
    leader: () => findLeader(members),
    member(name: string) {
      const found = members.find((m) => m.name === name);
      if (!found) throw new Error(`no etcd member named ${name}`);
      return found;
    },
    stop: async () => {
      const results = await Promise.allSettled(members.map((m) => m.remove()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
