import { EventEmitter } from 'node:events';
import type { RetryPolicy } from 'cockatiel';
import type { Etcd3, Lease, Watcher } from 'etcd3';
import type { Logger } from '../logger.js';
import { sleep } from '../util/backoff.js';
import { etcdDenial, etcdRetryPolicy, runRetrying } from '../util/retry-etcd.js';
import type { RegistrationState } from './types.js';

/** RegistrationOptions: the key a node owns, its value, and the lease TTL. */
export interface RegistrationOptions {
  client: Etcd3;
  key: string;
  /** value: the JSON to store, called at every (re-)registration. */
  value: () => string;
  ttlSeconds: number;
  logger: Logger;
  /** user: the etcd user, named when etcd refuses the credentials or the permission. */
  user?: string | undefined;
}

/** RegistrationEvents: what a Registration emits. */
export interface RegistrationEvents {
  /** state: every state change. */
  state: [RegistrationState];
  /** registered: the key is in etcd under a live lease (`again` is true for re-registrations). */
  registered: [{ leaseId: string; again: boolean }];
  /** lost: the lease or the key was lost; recovery starts at once. */
  lost: [{ reason: string }];
}

/**
 * Registration keeps one key in etcd under one lease for as long as it runs. Lease loss is a state,
 * not a crash: a lease that saw no keepalive for a whole TTL (etcd3 waits 2×TTL), was revoked, or
 * whose key was deleted is replaced (new lease, put again), retrying forever with backoff.
 */
export class Registration extends EventEmitter<RegistrationEvents> {
  readonly #opts: RegistrationOptions;
  readonly #closing = new AbortController();
  readonly #retry: RetryPolicy;
  #state: RegistrationState = 'idle';
  #lease: Lease | undefined;
  #leaseId = '';
  #leaseOkAt = 0;
  #watcher: Watcher | undefined;
  #checkTimer: NodeJS.Timeout | undefined;
  #recovering: Promise<void> | undefined;
  #again = false;
  #everRegistered = false;
  #deniedLogged = false;
  /** reregistrations counts successful registrations after the first. */
  reregistrations = 0;

  constructor(opts: RegistrationOptions) {
    super();
    this.#opts = opts;
    this.#retry = etcdRetryPolicy({
      logger: opts.logger,
      message: 'registration failed; retrying',
      initialMs: 100,
      maxMs: 5_000,
    });
  }

  /** state is where the registration stands now. */
  get state(): RegistrationState {
    return this.#state;
  }

  /** leaseId is the current lease id (decimal string), or `''` before the first grant. */
  get leaseId(): string {
    return this.#leaseId;
  }

  /** start registers and keeps the registration alive; resolves at the first success. */
  async start(): Promise<void> {
    const periodMs = Math.max(100, (this.#opts.ttlSeconds * 1000) / 4);
    this.#checkTimer = setInterval(() => this.#check(), periodMs);
    this.#checkTimer.unref();
    void this.#watchKey();
    this.#setState('registering');
    await this.#recover();
  }

  /** close stops keeping alive and revokes the lease, so the key disappears at once. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    this.#closing.abort();
    clearInterval(this.#checkTimer);
    const lease = this.#lease;
    this.#lease = undefined;
    await Promise.allSettled([this.#watcher?.cancel(), lease?.revoke()]);
  }

  #setState(state: RegistrationState): void {
    if (this.#state === state || this.#state === 'closed') return;
    this.#state = state;
    this.emit('state', state);
  }

  /** Detect loss within one TTL: no keepalive answered for a whole TTL means etcd expired the lease. */
  #check(): void {
    if (this.#state !== 'registered') return;
    if (Date.now() - this.#leaseOkAt > this.#opts.ttlSeconds * 1000) this.#lost('no keepalive for one TTL');
  }

  #lost(reason: string): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'registered') {
      this.#opts.logger.warn({ reason, leaseId: this.#leaseId }, 'lease lost');
      this.emit('lost', { reason });
    }
    this.#dropLease();
    this.#setState('recovering');
    void this.#recover();
  }

  #dropLease(): void {
    const lease = this.#lease;
    this.#lease = undefined;
    if (!lease) return;
    lease.removeAllListeners();
    // Release, never revoke: if the old lease still lives, revoking it would delete our key before the
    // new put lands; released, it expires on its own once the key has moved to the new lease.
    lease.release();
  }

  #recover(): Promise<void> {
    if (this.#recovering) {
      this.#again = true;
      return this.#recovering;
    }
    this.#recovering = this.#recoverLoop().finally(() => {
      this.#recovering = undefined;
    });
    return this.#recovering;
  }

  /** #recoverLoop registers until it succeeds with no new request pending; never gives up, ends at close. */
  async #recoverLoop(): Promise<void> {
    const once = async (): Promise<void> => {
      do {
        this.#again = false;
        try {
          await this.#registerOnce();
        } catch (error) {
          this.#dropLease();
          this.#noteDenied(error);
          throw error;
        }
      } while (this.#again && this.#state !== 'closed');
    };
    await runRetrying(this.#retry, once, this.#closing.signal).catch(() => undefined); // rejects only once closed
  }

  async #registerOnce(): Promise<void> {
    let lease = this.#lease;
    if (!lease) {
      lease = this.#opts.client.lease(this.#opts.ttlSeconds, { autoKeepAlive: true });
      this.#lease = lease;
      const current = lease;
      lease.on('lost', (err) => {
        if (this.#lease === current) this.#lost(`lease lost: ${err.message}`);
      });
      lease.on('keepaliveSucceeded', () => {
        if (this.#lease === current) this.#leaseOkAt = Date.now();
      });
      this.#leaseId = await lease.grant();
      this.#leaseOkAt = Date.now();
    }
    await lease.put(this.#opts.key).value(this.#opts.value()).exec();
    if (this.#state === 'closed') return;
    const again = this.#everRegistered;
    this.#everRegistered = true;
    if (again) this.reregistrations++;
    this.#deniedLogged = false;
    this.#setState('registered');
    this.#opts.logger.info(
      { leaseId: this.#leaseId, key: this.#opts.key },
      again ? 're-registered' : 'registered',
    );
    this.emit('registered', { leaseId: this.#leaseId, again });
  }

  /** #noteDenied logs once per streak that etcd refused the credentials or the permission (retries go on). */
  #noteDenied(error: unknown): void {
    const denial = etcdDenial(error);
    if (!denial || this.#deniedLogged) return;
    this.#deniedLogged = true;
    const key = this.#opts.key;
    const prefix = key.slice(0, key.lastIndexOf('/') + 1);
    const user = this.#opts.user ?? '(none)';
    this.#opts.logger.error(
      { user, prefix, err: (error as Error).message },
      `etcd ${denial} for user ${user} on ${prefix}: cannot register; retrying with backoff until the credentials or role are fixed`,
    );
  }

  /** Watch our own key: if someone deletes it while we serve, put it back. */
  async #watchKey(): Promise<void> {
    try {
      const watcher = await this.#opts.client.watch().key(this.#opts.key).create();
      if (this.#closing.signal.aborted) {
        await watcher.cancel();
        return;
      }
      this.#watcher = watcher;
      watcher.on('delete', () => {
        if (this.#state === 'registered') this.#keyDeleted();
      });
      watcher.on('error', () => undefined); // etcd3 reconnects the watch itself
    } catch (error) {
      if (this.#state === 'closed') return;
      this.#opts.logger.debug({ err: (error as Error).message }, 'watch on own key failed; retrying');
      await sleep(1_000, this.#closing.signal);
      if (!this.#closing.signal.aborted) void this.#watchKey();
    }
  }

  #keyDeleted(): void {
    this.#opts.logger.warn({ key: this.#opts.key }, 'key deleted from outside; putting it back');
    this.#setState('recovering');
    void this.#recover();
  }
}
