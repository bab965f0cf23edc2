import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { Logger } from '../logger.js';
import { sleep } from '../util/backoff.js';

/** OwnKeyWatchOptions: the key, and whom to tell about changes and reconnects. */
export interface OwnKeyWatchOptions {
  client: Etcd3;
  key: string;
  logger: Logger;
  /** onChange: a put (`kv`) or a delete (`kv` undefined) at `revision`. */
  onChange: (kv: IKeyValue | undefined, revision: string) => void;
  /** onResumed: the watch reconnected; etcd3 resumes from its own revision, so changes may be missed. */
  onResumed: () => void;
}

/**
 * OwnKeyWatch watches one key for any change, put or delete, for as long as it runs, retrying its
 * creation every second while etcd is unreachable. etcd3 reconnects a broken watch itself.
 */
export class OwnKeyWatch {
  readonly #opts: OwnKeyWatchOptions;
  readonly #closing = new AbortController();
  #watcher: Watcher | undefined;

  constructor(opts: OwnKeyWatchOptions) {
    this.#opts = opts;
  }

  /** start creates the watch in the background; changes are reported from then on. */
  start(): void {
    void this.#create();
  }

  /** close cancels the watch; nothing is reported afterwards. */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.#watcher?.cancel().catch(() => undefined);
  }

  async #create(): Promise<void> {
    const { client, key, logger } = this.#opts;
    try {
      const watcher = await client.watch().key(key).create();
      if (this.#closing.signal.aborted) {
        await watcher.cancel();
        return;
      }
      this.#watcher = watcher;
      watcher.on('connected', () => this.#opts.onResumed()); // create() resolved at the first one
      watcher.on('put', (kv) => this.#opts.onChange(kv, kv.mod_revision));
      watcher.on('delete', (kv) => this.#opts.onChange(undefined, kv.mod_revision));
      watcher.on('error', () => undefined); // etcd3 reconnects the watch itself
    } catch (error) {
      if (this.#closing.signal.aborted) return;
      logger.debug({ err: (error as Error).message }, 'watch on own key failed; retrying');
      await sleep(1_000, this.#closing.signal);
      if (!this.#closing.signal.aborted) void this.#create();
    }
  }
}
