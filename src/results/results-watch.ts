import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { Logger } from '../logger.js';
import { sleep } from '../util/backoff.js';
import { parseResultRecord, type ResultRecord } from './result-record.js';
import { watchConnected } from './watch-connected.js';

/** ResultEvent is one change under the watched prefix, in etcd revision order. */
export type ResultEvent =
  | { type: 'put'; key: string; record: ResultRecord; revision: string }
  | { type: 'delete'; key: string; revision: string };

/** WatchResultsOptions: where to start, how to stop, and where errors go. */
export interface WatchResultsOptions {
  /** startRevision: deliver changes from this etcd revision on (default: changes after the watch starts). */
  startRevision?: string | undefined;
  /** signal: closes the watch when aborted. */
  signal?: AbortSignal | undefined;
  /** onError: etcd cancelled the watch (e.g. its start revision was compacted); the watch is closed. */
  onError?: ((error: Error) => void) | undefined;
}

/** ResultsWatch is a running watch; `close()` stops it (idempotent). */
export interface ResultsWatch {
  close(): Promise<void>;
}

/**
 * ResultsWatcher delivers puts and deletes under one etcd prefix. etcd3 resumes a broken watch from
 * its own last header revision, which can skip events, so on every disconnect this drops that watcher
 * and watches again from the last delivered revision + 1; repeated events are filtered by revision.
 */
export class ResultsWatcher implements ResultsWatch {
  #watcher: Watcher | undefined;
  #last = 0n;
  #closed = false;
  #warned = false;
  readonly #stop = new AbortController();
  /** onClose: called once when the watch closes (the store forgets it). */
  onClose: (() => void) | undefined;

  constructor(
    private readonly etcd: Etcd3,
    /** base: the namespace's results prefix, stripped from keys. */
    private readonly base: string,
    /** prefix: the full etcd prefix watched (base + the caller's key prefix). */
    private readonly prefix: string,
    private readonly listener: (event: ResultEvent) => void,
    private readonly logger: Logger,
    private readonly options: WatchResultsOptions,
  ) {}

  /** start resolves once the first watch is established (events after that point are delivered). */
  async start(): Promise<void> {
    const signal = this.options.signal;
    if (signal?.aborted) throw signal.reason;
    signal?.addEventListener('abort', () => void this.close(), { once: true });
    if (this.options.startRevision !== undefined) this.#last = BigInt(this.options.startRevision) - 1n;
    const w = this.#watch(this.options.startRevision);
    await watchConnected(w, this.#stop.signal);
  }

  /** close cancels the watch; no event is delivered afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop.abort();
    this.onClose?.();
    const w = this.#watcher;
    this.#watcher = undefined;
    if (w) await Promise.race([w.cancel().catch(() => undefined), sleep(2_000)]);
  }

  #watch(from: string | undefined): Watcher {
    const builder = this.etcd.watch().prefix(this.prefix);
    if (from !== undefined) builder.startRevision(from);
    const w = builder.watcher();
    this.#watcher = w;
    w.on('connected', (res) => {
      if (this.#watcher === w && from === undefined && this.#last === 0n)
        this.#last = BigInt(res.header.revision);
    });
    w.on('put', (kv) => this.#deliver(w, kv, 'put'));
    w.on('delete', (kv) => this.#deliver(w, kv, 'delete'));
    w.on('disconnected', () => {
      if (this.#watcher !== w || this.#closed) return;
      this.#watcher = undefined;
      void w.cancel().catch(() => undefined);
      void sleep(100, this.#stop.signal).then(() => {
        if (!this.#closed) this.#watch((this.#last + 1n).toString());
      });
    });
    w.on('error', (error) => {
      if (this.#watcher !== w || this.#closed) return;
      this.logger.warn({ err: error.message, prefix: this.prefix }, 'results watch cancelled by etcd');
      void this.close();
      this.options.onError?.(error);
    });
    return w;
  }

  #deliver(w: Watcher, kv: IKeyValue, type: 'put' | 'delete'): void {
    if (this.#watcher !== w || this.#closed) return;
    const revision = BigInt(kv.mod_revision);
    if (revision <= this.#last) return;
    this.#last = revision;
    const resultKey = kv.key.toString('utf8').slice(this.base.length);
    if (type === 'delete') {
      this.listener({ type, key: resultKey, revision: kv.mod_revision });
      return;
    }
    const record = parseResultRecord(kv.value.toString('utf8'));
    if (record instanceof Error) {
      if (!this.#warned)
        this.logger.warn({ key: resultKey, err: record.message }, 'skipping unreadable result');
      this.#warned = true;
      return;
    }
    this.listener({ type, key: resultKey, record, revision: kv.mod_revision });
  }
}
