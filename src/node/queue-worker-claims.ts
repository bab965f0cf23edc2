/**
 * WorkerClaims keeps a queue worker's one invariant about claims: every claim attached to the
 * worker's live lease is one a slot of this worker is working, or it is released. Slots `hold` a
 * claim key before they send the claim transaction and `drop` it once the chunk is acked or given
 * back; `sweep` lists the keys etcd has attached to the lease (LeaseTimeToLive with keys) and
 * deletes every claim no slot holds. Such strays come from a claim transaction that committed
 * though its caller saw an error (a timeout, a leader lost mid-request) and from a give-back that
 * failed; the worker sweeps after every etcd error and once per lease TTL besides. Logs `stray chunk
 * claims released`, and `claim sweep failed` (throttled).
 */
import type { Etcd3 } from 'etcd3';
import type { Logger } from '../logger.js';
import { parseQueueKey } from '../results/queue/queue-keys.js';

/** WorkerClaimsOptions: the etcd client, the namespace whose queue is worked, a logger. */
export interface WorkerClaimsOptions {
  etcd: Etcd3;
  namespace: string;
  logger: Logger;
}

/** SweepTarget: the lease whose keys a sweep lists, and the claim token that lease's claims carry. */
interface SweepTarget {
  leaseId: string;
  token: string;
}

/** WorkerClaims tracks the claims a worker's slots hold and releases the others its lease carries. */
export class WorkerClaims {
  readonly #o: WorkerClaimsOptions;
  readonly #held = new Set<string>();
  #running: Promise<void> | undefined;
  /** #next: the lease and token of the run asked for while one was running (the latest wins). */
  #next: SweepTarget | undefined;
  #failures = 0;

  constructor(options: WorkerClaimsOptions) {
    this.#o = options;
  }

  /** hold says a slot is claiming or working the claim key `claimKey` (call it before the claim transaction). */
  hold(claimKey: string): void {
    this.#held.add(claimKey);
  }

  /** drop says no slot works `claimKey` any more (acked, given back, or found to be another worker's). */
  drop(claimKey: string): void {
    this.#held.delete(claimKey);
  }

  /**
   * sweep releases every claim attached to lease `leaseId` (value `token`) that no slot holds.
   * Calls while one runs are folded into one more run after it, with the latest lease.
   * @throws the etcd error of the listing or of a delete (the next sweep tries again).
   */
  sweep(leaseId: string, token: string): Promise<void> {
    if (this.#running) {
      this.#next = { leaseId, token };
      return this.#running;
    }
    const run = (async () => {
      let next: SweepTarget | undefined = { leaseId, token };
      try {
        while (next) {
          this.#next = undefined;
          await this.#sweepOnce(next.leaseId, next.token);
          next = this.#next;
        }
      } finally {
        this.#next = undefined;
        this.#running = undefined;
      }
    })();
    this.#running = run;
    return run;
  }

  async #sweepOnce(leaseId: string, token: string): Promise<void> {
    const { etcd, namespace, logger } = this.#o;
    let attached: Buffer[];
    try {
      const res = await etcd.leaseClient.leaseTimeToLive({ ID: leaseId, keys: true });
      attached = Number(res.TTL) > 0 ? res.keys : [];
      this.#failures = 0;
    } catch (error) {
      if (this.#failures++ % 20 === 0)
        logger.warn({ err: (error as Error).message, lease: leaseId }, 'claim sweep failed');
      throw error;
    }
    const stray = attached
      .map((k) => k.toString('utf8'))
      .filter((k) => parseQueueKey(namespace, k)?.kind === 'w' && !this.#held.has(k));
    if (stray.length === 0) return;
    // Compare on the value: a claim acked or re-taken meanwhile (another lease's token) is left alone.
    await Promise.all(stray.map((k) => giveBack(etcd, k, token)));
    logger.warn({ claims: stray, lease: leaseId }, 'stray chunk claims released');
  }
}

/** ClaimRequest: the chunk to claim, its claim key, and the worker's lease and token. */
export interface ClaimRequest {
  chunkKey: string;
  claimKey: string;
  leaseId: string;
  token: string;
}

/** ClaimResult: the claimed chunk's value, or the revision at which another worker's claim of it was put. */
export type ClaimResult = { value: Buffer; takenAt?: undefined } | { value?: undefined; takenAt: bigint };

/**
 * takeClaim claims a chunk (claim key absent and chunk present → put the claim under the lease,
 * read the chunk) and resolves with the chunk's value, `takenAt` when another worker holds it, or
 * undefined when the chunk is gone. A failed compare reads the claim back: if it carries this worker's token,
 * an earlier try of this same request committed (etcd3 retries a try that timed out, on another
 * member after a leader loss) and the claim is this worker's: it is adopted, never left behind.
 */
export async function takeClaim(etcd: Etcd3, req: ClaimRequest): Promise<ClaimResult | undefined> {
  const claimKey = Buffer.from(req.claimKey);
  const chunkKey = Buffer.from(req.chunkKey);
  const res = await etcd.kv.txn({
    compare: [
      { key: claimKey, target: 'Create', result: 'Equal', create_revision: 0 },
      { key: chunkKey, target: 'Create', result: 'Greater', create_revision: 0 },
    ],
    success: [
      { request_put: { key: claimKey, value: Buffer.from(req.token), lease: req.leaseId } },
      { request_range: { key: chunkKey } },
    ],
    failure: [{ request_range: { key: claimKey } }],
  });
  if (res.succeeded) {
    const value = res.responses[1]?.response_range?.kvs[0]?.value;
    return value ? { value } : undefined;
  }
  const claim = res.responses[0]?.response_range?.kvs[0];
  if (!claim) return undefined;
  if (claim.value.toString('utf8') !== req.token) return { takenAt: BigInt(claim.mod_revision) };
  const chunk = await etcd.kv.range({ key: chunkKey });
  const value = chunk.kvs[0]?.value;
  if (value) return { value };
  // Our claim of a chunk acked or cancelled meanwhile: give the claim key back too.
  await giveBack(etcd, req.claimKey, req.token);
  return undefined;
}

/** giveBack deletes claim `claimKey` if it still carries `token` (a delete: etcd allows it even under NOSPACE). */
export async function giveBack(etcd: Etcd3, claimKey: string, token: string): Promise<void> {
  const key = Buffer.from(claimKey);
  await etcd.kv.txn({
    compare: [{ key, target: 'Value', result: 'Equal', value: Buffer.from(token) }],
    success: [{ request_delete_range: { key } }],
  });
}
