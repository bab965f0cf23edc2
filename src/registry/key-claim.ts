/**
 * Who may hold a node's key: claimKey puts a node's value under its lease unless another live node
 * holds the key. The key is absent, or holds garbage, a value without a lease, one of this node's own
 * earlier values or leases, a NodeInfo of a dead process on this host or under a lease that is not
 * alive: then it is (re)written. A valid NodeInfo under another live lease means a second process
 * runs with the same id: NodeIdTakenError, unless `force` (an operator's `--replace`).
 */
import os from 'node:os';
import type { Etcd3, IKeyValue } from 'etcd3';
import type { NodeInfo } from './types.js';

/** NodeIdTakenError: the key is held by another live process that registered the same node id. */
export class NodeIdTakenError extends Error {
  override name = 'NodeIdTakenError';
  readonly retryable = false;

  constructor(
    readonly key: string,
    readonly holder: { leaseId: string; pid: number; hostname: string; startedAt: string },
  ) {
    super(
      `node id already registered at ${key} by pid ${holder.pid} on ${holder.hostname} (lease ${holder.leaseId}, ` +
        `started ${holder.startedAt}); stop that node, or take its id over with --replace ` +
        `(or \`etcdctl del ${key}\`)`,
    );
  }
}

/**
 * ClaimReason says what the key held before a claim: `absent`; `own` (this value under this lease:
 * nothing written); `no-lease` (a value without a lease); `own-lease` (this node's value or one of
 * its leases, e.g. after its lease was lost, or a value put with `--ignore-lease`); `garbage` (not a
 * NodeInfo); `foreign` (a NodeInfo of another id); `dead-process` (a NodeInfo of a process on this
 * host that no longer runs); `dead-lease` (under a lease that is not alive); `replaced` (`--replace`).
 */
export type ClaimReason =
  | 'absent'
  | 'own'
  | 'own-lease'
  | 'no-lease'
  | 'garbage'
  | 'foreign'
  | 'dead-process'
  | 'dead-lease'
  | 'replaced';

/** ClaimRequest: the key, the value and lease to hold it with, what counts as this node's own. */
export interface ClaimRequest {
  client: Etcd3;
  key: string;
  nodeId: string;
  value: string;
  leaseId: string;
  /** ownLeases: leases this process held the key with before (a re-registration takes those back). */
  ownLeases: ReadonlySet<string>;
  /** force: take the key from a live holder too (`--replace`). */
  force: boolean;
}

/** ClaimResult: the revision of the put, or of the key if it already held exactly this (`own`). */
export interface ClaimResult {
  revision: string;
  reason: ClaimReason;
}

const RACES = 5;

/**
 * claimKey makes the key hold `value` under `leaseId` and says what it held before; every write is a
 * transaction guarded by the revision it judged (create-only when absent), so a concurrent writer
 * makes it judge again. Rejects with NodeIdTakenError when another live node holds the key.
 */
export async function claimKey(req: ClaimRequest): Promise<ClaimResult> {
  const { client, key } = req;
  for (let race = 0; race < RACES; race++) {
    const kv = (await client.get(key).exec()).kvs[0];
    const reason = kv ? await judge(req, kv) : 'absent';
    if (reason === 'own' && kv) return { revision: kv.mod_revision, reason };
    const put = client.put(key).value(req.value).lease(req.leaseId);
    const txn = kv ? client.if(key, 'Mod', '==', kv.mod_revision) : client.if(key, 'Create', '==', 0);
    const res = await txn.then(put).commit();
    if (res.succeeded) return { revision: res.header.revision, reason };
  }
  throw new Error(`registering ${key}: the key kept changing under ${RACES} tries`);
}

async function judge(req: ClaimRequest, kv: IKeyValue): Promise<ClaimReason> {
  const value = kv.value.toString('utf8');
  const ownLease = kv.lease === req.leaseId || req.ownLeases.has(kv.lease);
  if (kv.lease === req.leaseId && value === req.value) return 'own';
  if (kv.lease === '0') return 'no-lease';
  if (ownLease || value === req.value) return 'own-lease';
  // Loaded here, not at start: node-info.js brings zod (about 4 MB of a node's RSS), which a node
  // needs only when its key holds someone else's value.
  const { parseNodeInfo } = await import('./node-info.js');
  const info = parseNodeInfo(value);
  if (info instanceof Error) return 'garbage';
  if (info.id !== req.nodeId) return 'foreign';
  if (deadHere(info)) return 'dead-process';
  if (!(await leaseAlive(req.client, kv.lease))) return 'dead-lease';
  if (req.force) return 'replaced';
  throw new NodeIdTakenError(req.key, {
    leaseId: kv.lease,
    pid: info.pid,
    hostname: info.hostname,
    startedAt: info.startedAt,
  });
}

/** deadHere: the NodeInfo names a process on this host that no longer runs (a crashed incarnation). */
function deadHere(info: NodeInfo): boolean {
  if (info.hostname !== os.hostname() || info.pid === process.pid) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function leaseAlive(client: Etcd3, leaseId: string): Promise<boolean> {
  const res = await client.leaseClient.leaseTimeToLive({ ID: leaseId });
  return Number(res.TTL) > 0;
}
