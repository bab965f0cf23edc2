/**
 * PrefixWatch delivers every put and delete under one etcd prefix from a given revision on, in
 * revision order. etcd3 resumes a broken watch from its own last header revision, which can skip
 * events, so on a disconnect it drops that watcher and watches again from the last delivered
 * revision + 1 (events of one transaction share a revision and arrive together).
 */
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { Logger } from '../../logger.js';
import { sleep } from '../../util/backoff.js';
import { watchConnected } from '../watch-connected.js';

/** PrefixEvent is one change: the kv (with its mod revision) and whether it was a put or a delete. */
export interface PrefixEvent {
  type: 'put' | 'delete';
  kv: IKeyValue;
}

/** PrefixWatch is one running watch; `close()` stops it (idempotent). */
export class PrefixWatch {
  #watcher: Watcher | undefined;
  #last: bigint;
  #closed = false;
  readonly #stop = new AbortController();

  constructor(
    private readonly etcd: Etcd3,
    private readonly prefix: string,
    /** from: the first revision to deliver. */
    from: string,
    private readonly listener: (event: PrefixEvent) => void,
    private readonly logger: Logger,
    /** onCancelled: etcd cancelled the watch (its revision was compacted): the caller relists. */
    private readonly onCancelled: (error: Error) => void,
  ) {
    this.#last = BigInt(from) - 1n;
  }

  /** start resolves once the watch is established. */
  start(): Promise<void> {
    const w = this.#watch();
    return watchConnected(w, this.#stop.signal);
  }

  /** close cancels the watch; no event is delivered afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop.abort();
    const w = this.#watcher;
    this.#watcher = undefined;
    if (w) await Promise.race([w.cancel().catch(() => undefined), sleep(2_000)]);
  }

  #watch(): Watcher {
    const w = this.etcd
      .watch()
      .prefix(this.prefix)
      .startRevision((this.#last + 1n).toString())
      .watcher();
    this.#watcher = w;
    w.on('put', (kv) => this.#deliver(w, 'put', kv));
    w.on('delete', (kv) => this.#deliver(w, 'delete', kv));
    w.on('disconnected', () => {
      if (this.#watcher !== w || this.#closed) return;
      this.#watcher = undefined;
      void w.cancel().catch(() => undefined);
      void sleep(100, this.#stop.signal).then(() => {
        if (!this.#closed) this.#watch();
      });
    });
    w.on('error', (error) => {
      if (this.#watcher !== w || this.#closed) return;
      this.logger.warn({ err: error.message, prefix: this.prefix }, 'queue watch cancelled by etcd');
      void this.close();
      this.onCancelled(error);
    });
    return w;
  }

  #deliver(w: Watcher, type: 'put' | 'delete', kv: IKeyValue): void {
    if (this.#watcher !== w || this.#closed) return;
    const revision = BigInt(kv.mod_revision);
    if (revision < this.#last) return;
    this.#last = revision;
    this.listener({ type, kv });
  }
}
