/**
 * QueueJob follows one queued job: `status()` reads it, `on('progress')` and `done()` follow it with
 * a watch on the job's queue keys and its record (no polling), `cancel()` stops it.
 */
import { EventEmitter } from 'node:events';
import { cancelJob, tryFinalize } from './finalize.js';
import { type JobSnapshot, type LiveCounts, readLive, snapshot } from './job-status.js';
import { type PrefixEvent, PrefixWatch } from './prefix-watch.js';
import type { QueueHost } from './queue-host.js';
import { isFinished, jobKey, parseQueueJobRecord } from './queue-job-record.js';
import { jobQueuePrefix, parseQueueKey } from './queue-keys.js';
import { readSpace } from './space.js';
import { addTally, parseTally } from './tally.js';

/** QueueJobEvents: `progress` snapshots (at most every 100 ms, and at the end). */
export interface QueueJobEvents {
  progress: [JobSnapshot];
}

/** QueueJob is the handle of one queued job; close it (or await `done()`) to stop its watches. */
export class QueueJob extends EventEmitter<QueueJobEvents> {
  readonly #host: QueueHost;
  #live: LiveCounts | undefined;
  #following: Promise<void> | undefined;
  #watches: PrefixWatch[] = [];
  #done: Promise<JobSnapshot> | undefined;
  #resolveDone: ((s: JobSnapshot) => void) | undefined;
  #emitTimer: NodeJS.Timeout | undefined;
  #lastChunkDelete = '';
  #finalizing = false;
  #closed = false;

  constructor(
    host: QueueHost,
    /** jobId: the job followed. */
    readonly jobId: string,
  ) {
    super();
    this.#host = host;
  }

  /** on subscribes to `progress`; the first subscription starts following the job. */
  override on<E extends keyof QueueJobEvents>(
    event: E,
    listener: (...args: QueueJobEvents[E]) => void,
  ): this {
    super.on(event, listener as never);
    void this.#follow().catch(() => undefined);
    return this;
  }

  /** status reads the job now (one transaction); `stopped` when etcd's NOSPACE alarm is raised. */
  async status(): Promise<JobSnapshot> {
    const live = await readLive(this.#host, this.jobId);
    if (!isFinished(live.record))
      live.noSpace = (await readSpace(this.#host.etcd, this.#host.space)).noSpaceAlarm;
    return snapshot(live);
  }

  /**
   * done resolves with the final snapshot once the job is `done`, `failed` or `cancelled`, or is
   * `stopped` because etcd is out of space (then `error.code` is `NOSPACE` and `unknown` counts the
   * ops not confirmed). Closes the handle's watches.
   */
  done(): Promise<JobSnapshot> {
    this.#done ??= new Promise<JobSnapshot>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#follow().then(() => {
        const live = this.#live;
        if (live && (isFinished(live.record) || live.noSpace)) resolve(snapshot(live));
      }, reject);
    }).finally(() => this.close());
    return this.#done;
  }

  /** cancel records the job `cancelled` and deletes its chunks; resolves with the job's final status. */
  cancel(): Promise<string> {
    return cancelJob(this.#host, this.jobId);
  }

  /** close stops following (idempotent). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#emitTimer);
    const watches = this.#watches;
    this.#watches = [];
    await Promise.all(watches.map((w) => w.close()));
  }

  #follow(): Promise<void> {
    this.#following ??= (async () => {
      const { etcd, namespace, logger } = this.#host;
      const live = await readLive(this.#host, this.jobId);
      this.#live = live;
      const from = (BigInt(live.revision) + 1n).toString();
      const relist = (): void => void this.#relist();
      this.#watches = [
        new PrefixWatch(
          etcd,
          jobQueuePrefix(namespace, this.jobId),
          from,
          (e) => this.#onQueue(e),
          logger,
          relist,
        ),
        new PrefixWatch(etcd, jobKey(namespace, this.jobId), from, (e) => this.#onRecord(e), logger, relist),
      ];
      await Promise.all(this.#watches.map((w) => w.start()));
      if (isFinished(live.record)) {
        this.#emit(true);
        return;
      }
      await this.#checkSpace();
      this.#maybeFinalize();
      this.#emit(false);
    })();
    return this.#following;
  }

  async #relist(): Promise<void> {
    await this.close();
    this.#closed = false;
    this.#following = undefined;
    await this.#follow().catch(() => undefined);
  }

  #onQueue({ type, kv }: PrefixEvent): void {
    const live = this.#live;
    const key = parseQueueKey(this.#host.namespace, kv.key.toString('utf8'));
    if (!live || !key) return;
    if (key.kind === 'c') {
      if (type === 'put') live.chunks.set(key.name, key.ops);
      else {
        live.chunks.delete(key.name);
        this.#lastChunkDelete = `${kv.mod_revision}/${key.name}`;
      }
    } else if (key.kind === 'w') {
      if (type === 'put') live.claims.set(key.name, key.ops);
      else {
        live.claims.delete(key.name);
        // A claim deleted without its chunk is a release: a draining worker, or one that met NOSPACE.
        if (this.#lastChunkDelete !== `${kv.mod_revision}/${key.name}` && live.chunks.has(key.name))
          void this.#checkSpace();
      }
    } else if (key.kind === 't' && type === 'put')
      addTally(live.tally, parseTally(kv.value.toString('utf8')));
    live.revision = kv.mod_revision;
    this.#maybeFinalize();
    this.#schedule();
  }

  #onRecord({ type, kv }: PrefixEvent): void {
    const live = this.#live;
    if (!live || type !== 'put') return;
    const record = parseQueueJobRecord(kv.value.toString('utf8'));
    if (record instanceof Error || record.jobId !== this.jobId) return;
    live.record = record;
    if (isFinished(record)) {
      this.#emit(true);
      return;
    }
    this.#maybeFinalize();
    this.#schedule();
  }

  async #checkSpace(): Promise<void> {
    const live = this.#live;
    if (!live) return;
    try {
      live.noSpace = (await readSpace(this.#host.etcd, this.#host.space)).noSpaceAlarm;
    } catch {
      return;
    }
    if (live.noSpace) this.#emit(true);
  }

  /** #maybeFinalize finishes the job when nothing is left (in case the worker of the last ack died first). */
  #maybeFinalize(): void {
    const live = this.#live;
    if (
      !live ||
      this.#finalizing ||
      !live.record.submitted ||
      isFinished(live.record) ||
      live.chunks.size > 0
    )
      return;
    this.#finalizing = true;
    void tryFinalize(this.#host, this.jobId)
      .catch(() => false)
      .finally(() => {
        this.#finalizing = false;
      });
  }

  #schedule(): void {
    if (this.#emitTimer || this.#closed) return;
    this.#emitTimer = setTimeout(() => {
      this.#emitTimer = undefined;
      this.#emit(false);
    }, 100);
    this.#emitTimer.unref();
  }

  #emit(final: boolean): void {
    const live = this.#live;
    if (!live || this.#closed) return;
    const snap = snapshot(live);
    this.emit('progress', snap);
    if (final) this.#resolveDone?.(snap);
  }
}
