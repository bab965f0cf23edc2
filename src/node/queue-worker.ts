/**
 * QueueWorker works the durable queue from inside a node: it claims a chunk under its own lease
 * (a transaction: claim key absent and chunk present → put the claim with the lease, read the
 * chunk; a failed compare reads the claim back and adopts one that is already its own), computes
 * in-process, stores the results with put-if-absent and acks (the claim is still ours → delete
 * chunk and claim, put the chunk's tally), the last results in the ack itself (`storeAndAck`,
 * queue-worker-ack.ts). A worker that dies at any
 * point lets its lease lapse; its claims go with it, another worker redoes the chunk, and results
 * already stored come back as `agrees`, never written twice. The worker has one lease at a time,
 * and every claim under it is one a slot works: after any etcd error, and once per TTL, the worker
 * releases the others (`WorkerClaims`). Logs `queue worker started`, `chunk claim lost`, `queue
 * paused: etcd out of space`, `queue resumed`, `queue worker stopped`. What it does with a claimed
 * chunk (queue-worker-work.ts) is loaded with the first claim: a node at rest never loads it.
 */
import type { Etcd3, Lease } from 'etcd3';
import type { ArithLimits } from '../arith/limits.js';
import type { Logger } from '../logger.js';
import { resultsPrefix } from '../results/keys.js';
import { isNoSpace } from '../results/queue/queue-error.js';
import { queueKey } from '../results/queue/queue-keys.js';
import { readSpace } from '../results/queue/space.js';
import { sleep } from '../util/backoff.js';
import { type EtcdDenial, etcdDenial, retryEtcd } from '../util/retry-etcd.js';
import type { AckContext } from './queue-worker-ack.js';
import type { ComputeContext } from './queue-worker-chunk.js';
import { giveBack, takeClaim, WorkerClaims } from './queue-worker-claims.js';
import { workerDeniedMessage } from './queue-worker-denied.js';
import { type IndexedChunk, QueueIndex } from './queue-worker-index.js';

/** QueueWorkerOptions: where the queue is, who works it, how many chunks at once, its peers (quorum chunks). */
export interface QueueWorkerOptions extends ComputeContext {
  etcd: Etcd3;
  namespace: string;
  nodeId: string;
  /** concurrency: chunks held at once (default 4). */
  concurrency?: number;
  ttlSeconds: number;
  limits: ArithLimits;
  logger: Logger;
  /** user: the etcd user, named when etcd refuses the worker a prefix. */
  user?: string | undefined;
}

/** QueueWorker claims, computes, stores and acks chunks until closed. */
export class QueueWorker {
  readonly #o: QueueWorkerOptions;
  readonly #index: QueueIndex;
  readonly #claims: WorkerClaims;
  readonly #ack: AckContext;
  readonly #stop = new AbortController();
  #lease: Lease | undefined;
  /** #granting: the grant of #lease, shared by every slot (one lease at a time, never an orphan kept alive). */
  #granting: Promise<string> | undefined;
  #leaseId: string | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #paused = false;
  #deniedLogged = false;
  #slots: Promise<void>[] = [];
  /** chunksDone counts chunks this worker acked. */
  chunksDone = 0;

  constructor(options: QueueWorkerOptions) {
    this.#o = options;
    this.#index = new QueueIndex(options.etcd, options.namespace, options.logger, () => this.#notify());
    this.#claims = new WorkerClaims(options);
    this.#ack = {
      etcd: options.etcd,
      prefix: resultsPrefix(options.namespace),
      logger: options.logger,
      narrow: false,
    };
  }

  /** start lists and watches the queue and starts the worker slots. */
  async start(): Promise<void> {
    await retryEtcd(() => this.#index.start(), this.#o.logger, this.#stop.signal);
    const n = Math.max(1, this.#o.concurrency ?? 4);
    this.#slots = Array.from({ length: n }, () => this.#slot());
    this.#sweepTimer = setInterval(() => this.#sweepSoon(), Math.max(1, this.#o.ttlSeconds) * 1_000);
    this.#sweepTimer.unref();
    this.#o.logger.info({ concurrency: n }, 'queue worker started');
  }

  /**
   * close stops claiming, lets the chunks in hand finish (store and ack) for up to `drainMs`, then
   * revokes the worker's lease (any claim still held lapses with it) and stops watching.
   */
  async close(drainMs = 10_000): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort();
    clearInterval(this.#sweepTimer);
    this.#notify();
    await Promise.race([Promise.allSettled(this.#slots), sleep(drainMs)]);
    await this.#lease?.revoke().catch(() => undefined);
    await this.#index.close();
    this.#o.logger.info({ chunks: this.chunksDone }, 'queue worker stopped');
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #waitForWork(): Promise<void> {
    return new Promise((resolve) => {
      const prev = this.#wake;
      this.#wake = () => {
        prev?.();
        resolve();
      };
    });
  }

  async #slot(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      if (this.#paused) {
        await sleep(1_000, signal);
        continue;
      }
      const chunk = this.#index.next();
      if (!chunk) {
        await this.#waitForWork();
        continue;
      }
      try {
        await this.#work(chunk);
      } catch (error) {
        const denial = etcdDenial(error);
        // The claim may be in etcd though this slot saw an error: it is no longer held, so sweep it.
        this.#sweepSoon();
        if (isNoSpace(error)) this.#pause();
        else if (denial) this.#denied(denial, error);
        else
          this.#o.logger.warn(
            { err: (error as Error).message, chunk: chunk.key },
            'chunk not worked; it stays queued',
          );
        // A refusal lasts until an operator changes the role: no tight loop of refused writes.
        if (!signal.aborted && !this.#paused) await sleep(denial ? 5_000 : 200, signal);
      } finally {
        this.#index.release(chunk);
      }
    }
  }

  /** #denied logs, once per worker, that etcd refused a chunk's claim, store or ack (a role with too few grants). */
  #denied(denial: EtcdDenial, error: unknown): void {
    if (this.#deniedLogged) return;
    this.#deniedLogged = true;
    const { namespace, user, logger } = this.#o;
    const what = 'chunks stay queued for other workers';
    logger.error(
      { err: (error as Error).message, user },
      workerDeniedMessage(denial, namespace, user, what, `/${namespace}/`),
    );
  }

  /** #leaseIdNow is the worker's lease, granted once for every slot that asks meanwhile. */
  #leaseIdNow(): Promise<string> {
    if (this.#granting) return this.#granting;
    const lease = this.#o.etcd.lease(this.#o.ttlSeconds);
    const forget = (): void => {
      if (this.#lease !== lease) return;
      this.#lease = undefined;
      this.#granting = undefined;
      this.#leaseId = undefined;
    };
    lease.on('lost', () => {
      forget();
      void lease.revoke().catch(() => undefined);
    });
    this.#lease = lease;
    this.#granting = lease.grant().then(
      (id) => {
        if (this.#lease === lease) this.#leaseId = id;
        return id;
      },
      (error: unknown) => {
        forget();
        throw error;
      },
    );
    return this.#granting;
  }

  /** #sweepSoon releases, in the background, every claim under the current lease that no slot holds. */
  #sweepSoon(): void {
    const leaseId = this.#leaseId;
    if (!leaseId) return;
    void this.#claims.sweep(leaseId, `${this.#o.nodeId}/${leaseId}`).catch(() => undefined);
  }

  async #work(chunk: IndexedChunk): Promise<void> {
    const { etcd, namespace, nodeId, logger } = this.#o;
    const leaseId = await this.#leaseIdNow();
    const token = `${nodeId}/${leaseId}`;
    const claimKey = queueKey(namespace, chunk.jobId, 'w', chunk.name);
    let acked: boolean;
    this.#claims.hold(claimKey);
    try {
      const claim = await takeClaim(etcd, { chunkKey: chunk.key, claimKey, leaseId, token });
      if (!claim) return; // gone: the watch says so
      if (claim.value === undefined) {
        this.#index.noteClaimed(chunk, claim.takenAt); // claimed by another worker
        return;
      }
      const work = await import('./queue-worker-work.js');
      const tallyKey = queueKey(namespace, chunk.jobId, 't', chunk.name);
      const keys = { chunkKey: chunk.key, claimKey, token, tallyKey };
      acked = await work.computeStoreAck(this.#o, this.#ack, chunk, claim.value, keys);
    } catch (error) {
      // Give the chunk back at once rather than at lease expiry; if etcd cannot be reached now, the
      // sweep that follows every error releases it (the claim is not held any more).
      await giveBack(etcd, claimKey, token).catch(() => undefined);
      throw error;
    } finally {
      this.#claims.drop(claimKey);
    }
    if (acked) {
      this.chunksDone++;
      chunk.gone = true;
    } else {
      // A retried ack that did commit lands here too: the chunk is gone either way.
      logger.debug({ chunk: chunk.key }, 'chunk claim lost');
    }
    if (this.#index.chunksLeft(chunk.jobId) <= 1) {
      const { tryFinalize } = await import('./queue-worker-work.js');
      await tryFinalize(this.#o, chunk.jobId).catch(() => false);
    }
  }

  /** #pause stops claiming while etcd's NOSPACE alarm is raised; claims lapse or are released by acks failing. */
  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#o.logger.warn('queue paused: etcd out of space');
    void this.#releaseAll();
    void (async () => {
      while (!this.#stop.signal.aborted) {
        await sleep(1_000, this.#stop.signal);
        const space = await readSpace(this.#o.etcd).catch(() => undefined);
        if (space && !space.noSpaceAlarm) break;
      }
      this.#paused = false;
      this.#o.logger.info('queue resumed');
      this.#notify();
    })();
  }

  /** #releaseAll drops the lease (every claim of this worker goes at once; deletes work under NOSPACE, grants do not). */
  async #releaseAll(): Promise<void> {
    const lease = this.#lease;
    this.#lease = undefined;
    this.#granting = undefined;
    this.#leaseId = undefined;
    await lease?.revoke().catch(() => undefined);
  }
}
