/**
 * QueueIndex is a worker's picture of the queue: every chunk key under `/<ns>/queue/` and whether
 * it is claimed, kept from one listing plus a watch from the listing's revision + 1 (never polled).
 * `next()` gives one of the oldest unclaimed chunks (by creation revision: oldest first across jobs).
 */
import type { Etcd3 } from 'etcd3';
import type { Logger } from '../logger.js';
import { type PrefixEvent, PrefixWatch } from '../results/queue/prefix-watch.js';
import { parseQueueKey, queueKey, queuePrefix } from '../results/queue/queue-keys.js';
import { prefixEnd } from '../results/range-pages.js';

/** SPREAD: how many of the oldest unclaimed chunks `next()` picks among. */
const SPREAD = 16;

/** IndexedChunk is one chunk the index knows of. */
export interface IndexedChunk {
  jobId: string;
  name: string;
  /** key: the chunk's etcd key. */
  key: string;
  createRevision: bigint;
  claimed: boolean;
  /** claimRevision: the etcd revision of the last claim put or delete the index applied (0n: none). */
  claimRevision: bigint;
  gone: boolean;
  /** held: this worker is working it (or trying to claim it). */
  held: boolean;
}

/** QueueIndex lists and watches the queue prefix; `onChange` is called when claimable work may have appeared. */
export class QueueIndex {
  readonly #byKey = new Map<string, IndexedChunk>();
  #order: IndexedChunk[] = [];
  #head = 0;
  readonly #perJob = new Map<string, number>();
  #watch: PrefixWatch | undefined;
  #closed = false;

  constructor(
    private readonly etcd: Etcd3,
    private readonly namespace: string,
    private readonly logger: Logger,
    private readonly onChange: () => void,
  ) {}

  /** start lists the queue (keys only, paged) and watches it from the listing's revision + 1. */
  async start(): Promise<void> {
    this.#byKey.clear();
    this.#order = [];
    this.#head = 0;
    this.#perJob.clear();
    const prefix = queuePrefix(this.namespace);
    const end = prefixEnd(prefix);
    let from = Buffer.from(prefix);
    let revision: string | undefined;
    for (;;) {
      const res = await this.etcd.kv.range({
        key: from,
        range_end: end,
        keys_only: true,
        limit: 10_000,
        ...(revision ? { revision } : {}),
      });
      revision ??= res.header.revision;
      for (const kv of res.kvs)
        this.#apply('put', kv.key.toString('utf8'), BigInt(kv.create_revision), BigInt(kv.mod_revision));
      const last = res.kvs.at(-1);
      if (!res.more || !last) break;
      from = Buffer.concat([last.key, Buffer.from([0])]);
    }
    this.#order.sort((a, b) =>
      a.createRevision < b.createRevision ? -1 : a.createRevision > b.createRevision ? 1 : 0,
    );
    const from1 = (BigInt(revision) + 1n).toString();
    this.#watch = new PrefixWatch(
      this.etcd,
      prefix,
      from1,
      (e) => this.#onEvent(e),
      this.logger,
      () => {
        if (!this.#closed)
          void this.start().catch((error: unknown) =>
            this.logger.warn({ err: (error as Error).message }, 'queue relist failed'),
          );
      },
    );
    await this.#watch.start();
    this.onChange();
  }

  /**
   * next returns one of the SPREAD oldest chunks nobody holds (at random, so that workers reading
   * the same queue seldom race for the same claim), marking it held; undefined when there is none.
   */
  next(): IndexedChunk | undefined {
    while (this.#head < this.#order.length && this.#order[this.#head]!.gone) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    const free: IndexedChunk[] = [];
    for (let i = this.#head; i < this.#order.length && free.length < SPREAD; i++) {
      const c = this.#order[i]!;
      if (!c.gone && !c.claimed && !c.held) free.push(c);
    }
    const c = free[Math.floor(Math.random() * free.length)];
    if (c) c.held = true;
    return c;
  }

  /** release says this worker no longer holds `chunk`. */
  release(chunk: IndexedChunk): void {
    chunk.held = false;
  }

  /**
   * noteClaimed says a claim transaction found `chunk` claimed by another worker, the claim put at
   * `revision`: the chunk is not picked again until the index sees that claim deleted, even if its
   * watch has not delivered the put yet (without this a slot would race for it again at once).
   * A note older than the last claim event applied is ignored.
   */
  noteClaimed(chunk: IndexedChunk, revision: bigint): void {
    if (revision <= chunk.claimRevision) return;
    chunk.claimed = true;
    chunk.claimRevision = revision;
  }

  /** chunksLeft is how many chunks of `jobId` the index still sees. */
  chunksLeft(jobId: string): number {
    return this.#perJob.get(jobId) ?? 0;
  }

  /** close stops the watch. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#watch?.close();
  }

  #onEvent({ type, kv }: PrefixEvent): void {
    this.#apply(
      type,
      kv.key.toString('utf8'),
      BigInt(kv.create_revision || kv.mod_revision),
      BigInt(kv.mod_revision),
    );
    this.onChange();
  }

  #apply(type: 'put' | 'delete', key: string, createRevision: bigint, modRevision: bigint): void {
    const parsed = parseQueueKey(this.namespace, key);
    if (!parsed || parsed.kind === 't') return;
    const chunkKey = parsed.kind === 'c' ? key : queueKey(this.namespace, parsed.jobId, 'c', parsed.name);
    let entry = this.#byKey.get(chunkKey);
    if (parsed.kind === 'c') {
      if (type === 'put' && !entry) {
        entry = {
          jobId: parsed.jobId,
          name: parsed.name,
          key,
          createRevision,
          claimed: false,
          claimRevision: 0n,
          gone: false,
          held: false,
        };
        this.#byKey.set(key, entry);
        this.#order.push(entry);
        this.#perJob.set(parsed.jobId, (this.#perJob.get(parsed.jobId) ?? 0) + 1);
      } else if (type === 'delete' && entry) {
        entry.gone = true;
        this.#byKey.delete(key);
        const left = (this.#perJob.get(parsed.jobId) ?? 1) - 1;
        if (left > 0) this.#perJob.set(parsed.jobId, left);
        else this.#perJob.delete(parsed.jobId);
      }
      return;
    }
    if (!entry || modRevision < entry.claimRevision) return;
    entry.claimed = type === 'put';
    entry.claimRevision = modRevision;
  }
}
