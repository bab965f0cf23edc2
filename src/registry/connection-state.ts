import type { DiscoveryStatus } from './types.js';

/**
 * ConnectionState is discovery's view of etcd, from two inputs: whether the watch is connected and
 * in sync (`setInSync`), and whether etcd answers reads (`setAnswering`, from the probe or a relist).
 * It is connected while both hold; each change of that is handed to `emit` as a `connected` or
 * `disconnected` status. While disconnected, staleness grows from the moment it was noticed.
 */
export class ConnectionState {
  readonly #emit: (status: DiscoveryStatus) => void;
  #inSync = false;
  #answering = true;
  #connected = false;
  #closed = false;
  #syncedAt = Number.NaN;

  constructor(emit: (status: DiscoveryStatus) => void) {
    this.#emit = emit;
  }

  /** connected is true while the watch is in sync and etcd answers. */
  get connected(): boolean {
    return this.#connected;
  }

  /** staleSince is the epoch ms since when the node list may be out of date (undefined while connected or before the first list). */
  get staleSince(): number | undefined {
    return this.#connected || Number.isNaN(this.#syncedAt) ? undefined : this.#syncedAt;
  }

  /** staleness is the ms since the list was last known in sync (0 while connected, Infinity before the first list). */
  staleness(): number {
    if (this.#connected) return 0;
    return Number.isNaN(this.#syncedAt) ? Number.POSITIVE_INFINITY : Date.now() - this.#syncedAt;
  }

  /** listed records a full listing applied now. */
  listed(): void {
    this.#syncedAt = Date.now();
    this.setAnswering(true);
  }

  /** setInSync says whether the watch is connected and its events are applied; may emit. */
  setInSync(inSync: boolean): void {
    this.#inSync = inSync;
    this.#update();
  }

  /** setAnswering says whether etcd answered the last probe or read; may emit. */
  setAnswering(answering: boolean): void {
    this.#answering = answering;
    this.#update();
  }

  /** close makes it disconnected without emitting, for good. */
  close(): void {
    this.#closed = true;
    this.#connected = false;
  }

  #update(): void {
    const connected = this.#inSync && this.#answering;
    if (this.#closed || this.#connected === connected) return;
    const at = Date.now();
    if (!connected) this.#syncedAt = at;
    this.#connected = connected;
    this.#emit(connected ? { type: 'connected', at } : { type: 'disconnected', at, staleSince: at });
  }
}
