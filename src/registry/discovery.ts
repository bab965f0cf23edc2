import { EventEmitter } from 'node:events';
import type { RetryPolicy } from 'cockatiel';
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import { type Logger, silentLogger } from '../logger.js';
import { abortable } from '../util/abortable.js';
import { Backoff, sleep } from '../util/backoff.js';
import { etcdRetryPolicy, runRetrying } from '../util/retry-etcd.js';
import { ConnectionState } from './connection-state.js';
import { EtcdProbe } from './etcd-probe.js';
import { nodesPrefix } from './keys.js';
import { type Applied, type NodeKeyValue, NodeSet } from './node-set.js';
import type { DiscoveryState, DiscoveryStatus, NodeChange, NodeInfo, NodeSource } from './types.js';

/** DiscoveryOptions: the etcd client (made by createEtcdClient), the namespace to watch, a logger. */
export interface DiscoveryOptions {
  client: Etcd3;
  namespace: string;
  /** logger: default silentLogger(). */
  logger?: Logger;
  /** probeIntervalMs: how often discovery checks that etcd still answers (default 500; 0: never, trust the watch alone). */
  probeIntervalMs?: number;
  /** probeTimeoutMs: a check unanswered this long makes discovery disconnected (default 1,000; with several endpoints two tries). */
  probeTimeoutMs?: number;
}

/** DiscoveryEvents: what a Discovery emits. */
export interface DiscoveryEvents {
  /** change: one per added, updated or removed node. */
  change: [NodeChange];
  /** synced: after the initial list and after every relist (reconnect, compaction). */
  synced: [{ revision: string; nodes: number }];
  /** status: the watch connected (and in sync), disconnected, or a full listing was applied. */
  status: [DiscoveryStatus];
}

/** etcd3 cancels a watch whose start revision was compacted with this message (the reason is empty). */
const COMPACTED = /^Watcher canceled: ?$/;

/**
 * Discovery keeps the live nodes of a namespace: it lists `/<ns>/nodes/` at revision R, then watches
 * from R+1, so no event falls between the two. etcd3 resumes a broken watch from the last response
 * header + 1, which can skip events, so every reconnect relists and emits the diff; a watch that
 * etcd cancels (its start revision was compacted) is replaced by a relist and a new watch. A watch
 * on a frozen etcd stays open, so a probe reads a key every 500 ms: unanswered within about a second,
 * discovery is disconnected (ConnectionState). While etcd is unreachable the last-known nodes stay
 * and `staleness()` grows. Emits `change`, `synced` and `status` (connected / disconnected / relisted).
 */
export class Discovery extends EventEmitter<DiscoveryEvents> implements NodeSource {
  readonly #client: Etcd3;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #set: NodeSet;
  readonly #closing = new AbortController();
  readonly #errorBackoff = new Backoff(100, 2_000);
  #closed: Promise<void> | undefined;
  #started = false;
  #revision = 0n;
  #watcher: Watcher | undefined;
  #watchUp = false;
  readonly #state: ConnectionState;
  readonly #probe: EtcdProbe | undefined;
  #relists = 0;
  #lastWatchError = 0;
  readonly #listRetry: RetryPolicy;
  readonly #relistRetry: RetryPolicy;
  /** #buffer holds watch responses that arrive while a relist is in flight. */
  #buffer: IWatchResponse[] | undefined;
  #resyncing: Promise<void> | undefined;
  #again = false;

  constructor(opts: DiscoveryOptions) {
    super();
    this.#client = opts.client;
    this.#prefix = nodesPrefix(opts.namespace);
    this.#logger = opts.logger ?? silentLogger();
    this.#set = new NodeSet(this.#prefix);
    const retry = { logger: this.#logger, initialMs: 100, maxMs: 2_000 };
    this.#listRetry = etcdRetryPolicy({ ...retry, message: 'listing nodes failed; retrying' });
    this.#relistRetry = etcdRetryPolicy({ ...retry, message: 'relisting nodes failed; retrying' });
    this.#state = new ConnectionState((status) => this.emit('status', status));
    if (opts.probeIntervalMs !== 0)
      this.#probe = new EtcdProbe({
        client: this.#client,
        key: this.#prefix,
        intervalMs: opts.probeIntervalMs,
        timeoutMs: opts.probeTimeoutMs,
        onResult: (answered, err) => this.#probed(answered, err),
      });
  }

  /**
   * start lists the nodes (emitting `added` for each, then `synced`) and starts the watch; it resolves
   * after the first list, retrying with backoff while etcd is unreachable, and rejects with
   * `signal.reason` if `signal` aborts first.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#started) throw new Error('Discovery already started');
    this.#started = true;
    const stop = signal ? AbortSignal.any([signal, this.#closing.signal]) : this.#closing.signal;
    try {
      await runRetrying(this.#listRetry, (s) => this.#relist(s), stop);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (this.#closing.signal.aborted) throw new Error('Discovery closed');
      throw error;
    }
    this.#watch();
    this.#probe?.start();
  }

  /** nodes returns the live nodes, sorted by id. */
  nodes(): NodeInfo[] {
    return this.#set.list();
  }

  /** get returns the live node with this id. */
  get(id: string): NodeInfo | undefined {
    return this.#set.get(id);
  }

  /** revision is the last etcd revision applied (decimal string; `'0'` before the first list). */
  get revision(): string {
    return this.#revision.toString();
  }

  /** connected is true while the watch is connected and in sync and etcd answers the probe. */
  get connected(): boolean {
    return this.#state.connected;
  }

  /** staleness is the ms since discovery last knew it was in sync (0 while connected, Infinity before the first list). */
  staleness(): number {
    return this.#state.staleness();
  }

  /** status returns a snapshot of the etcd state: connected, stale since when, revision, relists. */
  status(): DiscoveryState {
    return {
      connected: this.#state.connected,
      staleSince: this.#state.staleSince,
      stalenessMs: this.staleness(),
      revision: this.revision,
      relists: this.#relists,
    };
  }

  /** close cancels the watch and stops relisting; idempotent. Emits nothing afterwards. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing.abort();
      this.#probe?.stop();
      this.#state.close();
      const watcher = this.#watcher;
      this.#watcher = undefined;
      if (watcher) await Promise.race([watcher.cancel().catch(() => undefined), sleep(2_000)]);
    })();
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** #relist reads the whole prefix at one revision, applies the diff, then replays buffered events. */
  async #relist(signal: AbortSignal): Promise<void> {
    this.#buffer = [];
    try {
      const res = await abortable(this.#client.getAll().prefix(this.#prefix).exec(), signal);
      const listed = BigInt(res.header.revision);
      this.#report(this.#set.replace(res.kvs.map(decode)));
      if (listed > this.#revision) this.#revision = listed;
      this.#state.listed();
      const buffered = this.#buffer;
      this.#buffer = undefined;
      for (const r of buffered) this.#apply(r);
      this.#relists++;
      this.emit('synced', { revision: this.revision, nodes: this.#set.size });
      if (!this.#closing.signal.aborted)
        this.emit('status', {
          type: 'relisted',
          at: Date.now(),
          revision: this.revision,
          nodes: this.#set.size,
        });
    } finally {
      this.#buffer = undefined;
    }
  }

  /** #watch watches from the last revision + 1; listeners are attached before etcd3 can deliver anything. */
  #watch(): void {
    if (this.#closing.signal.aborted) return;
    const from = (this.#revision + 1n).toString();
    const w = this.#client.watch().prefix(this.#prefix).startRevision(from).watcher();
    this.#watcher = w;
    this.#watchUp = false;
    let everConnected = false;
    let resumedFrom = from;
    w.on('connecting', () => {
      resumedFrom = String(w.lastRevision() ?? from); // etcd3 moves it to its last header revision + 1
    });
    w.on('connected', () => {
      if (this.#watcher !== w) return;
      this.#watchUp = true;
      if (everConnected) {
        this.#resync('watch reconnected'); // etcd3 resumed from its own revision: events may be skipped
        return;
      }
      everConnected = true;
      this.#setConnected(true);
    });
    w.on('disconnected', (err) => {
      if (this.#watcher !== w) return;
      this.#watchUp = false;
      this.#logger.debug({ err: err.message }, 'watch disconnected');
      this.#setConnected(false);
    });
    w.on('data', (res) => {
      if (this.#watcher !== w) return;
      if (this.#buffer) this.#buffer.push(res);
      else this.#apply(res);
    });
    // etcd3 emits 'error' only when etcd cancels the watch (for compaction: 'Watcher canceled: ', no
    // compact_revision), after it already emitted 'connected'; the watcher is dropped, never resumed.
    w.on('error', (err) => {
      if (this.#watcher !== w) return;
      this.#watcher = undefined;
      this.#watchUp = false;
      this.#setConnected(false);
      const compacted = COMPACTED.test(err.message);
      if (compacted)
        this.#logger.info({ startRevision: resumedFrom }, 'watch start revision compacted; relisting');
      else this.#logger.warn({ err: err.message }, 'watch canceled by etcd; relisting');
      const recent = Date.now() - this.#lastWatchError < 5_000;
      this.#lastWatchError = Date.now();
      if (!recent) this.#errorBackoff.reset();
      const delay = recent ? this.#errorBackoff.next() : 0;
      void sleep(delay, this.#closing.signal).then(() => this.#resync(compacted ? 'compacted' : 'canceled'));
    });
  }

  /** #resync relists (coalescing concurrent requests), then re-watches if the watcher is gone. */
  #resync(reason: string): void {
    if (this.#closing.signal.aborted) return;
    if (this.#resyncing) {
      this.#again = true;
      return;
    }
    this.#logger.debug({ reason }, 'relisting');
    this.#resyncing = this.#resyncLoop().finally(() => {
      this.#resyncing = undefined;
    });
  }

  /** #resyncLoop relists until one succeeds with no new request pending; it ends only at close. */
  async #resyncLoop(): Promise<void> {
    const closing = this.#closing.signal;
    const once = async (signal: AbortSignal): Promise<void> => {
      do {
        this.#again = false;
        await this.#relist(signal);
        if (signal.aborted) return;
        if (!this.#watcher) this.#watch();
        else if (this.#watchUp) this.#setConnected(true);
      } while (this.#again);
    };
    await runRetrying(this.#relistRetry, once, closing).catch(() => undefined); // rejects only once closed
  }

  /** #apply applies one watch response; events at or below the last applied revision are ignored. */
  #apply(res: IWatchResponse): void {
    const floor = this.#revision;
    let top = floor;
    for (const ev of res.events) {
      const rev = BigInt(ev.kv.mod_revision);
      if (rev <= floor) continue;
      if (rev > top) top = rev;
      const kv = decode(ev.kv);
      this.#report(ev.type === 'Delete' ? this.#set.delete(kv.key) : this.#set.put(kv));
    }
    this.#revision = top;
  }

  #report(applied: Applied): void {
    if (this.#closing.signal.aborted) return;
    for (const bad of applied.invalid) this.#logger.warn(bad, 'skipping invalid node value');
    for (const change of applied.changes) {
      this.#logger.debug({ type: change.type, id: change.node.id }, 'node change');
      this.emit('change', change);
    }
  }

  #setConnected(inSync: boolean): void {
    if (!this.#closing.signal.aborted) this.#state.setInSync(inSync);
  }

  /** #probed takes the probe's answer: unanswered means disconnected, whatever the watch says. */
  #probed(answered: boolean, err: Error | undefined): void {
    if (this.#closing.signal.aborted) return;
    if (!answered && this.#state.connected)
      this.#logger.warn({ err: err?.message }, 'etcd does not answer; keeping the last-known nodes');
    this.#state.setAnswering(answered);
  }
}

function decode(kv: IKeyValue): NodeKeyValue {
  return { key: kv.key.toString('utf8'), value: kv.value.toString('utf8'), modRevision: kv.mod_revision };
}
