import { EventEmitter } from 'node:events';
import type { RetryPolicy } from 'cockatiel';
import type { Etcd3, IKeyValue, Lease } from 'etcd3';
import type { Logger } from '../logger.js';
import { etcdDenial, etcdRetryPolicy, runRetrying } from '../util/retry-etcd.js';
import { type ClaimReason, claimKey, NodeIdTakenError } from './key-claim.js';
import { OwnKeyWatch } from './own-key-watch.js';
import type { RegistrationState } from './types.js';

/** RegistrationOptions: the key a node owns, its value, and the lease TTL. */
export interface RegistrationOptions {
  client: Etcd3;
  key: string;
  /** nodeId: the id the key belongs to (a NodeInfo there with another id is foreign). */
  nodeId: string;
  /** value: the JSON to store, called at every (re-)registration. */
  value: () => string;
  ttlSeconds: number;
  logger: Logger;
  /** user: the etcd user, named when etcd refuses the credentials or the permission. */
  user?: string | undefined;
  /** replace: at the first registration, take the key even from another live node (`--replace`). */
  replace?: boolean | undefined;
}

/** RegistrationEvents: what a Registration emits. */
export interface RegistrationEvents {
  /** state: every state change. */
  state: [RegistrationState];
  /** registered: the key is in etcd under a live lease (`again` is true for re-registrations). */
  registered: [{ leaseId: string; again: boolean }];
  /** lost: the lease or the key was lost; recovery starts at once. */
  lost: [{ reason: string }];
  /** repaired: the key was changed or deleted from outside and is put back (`ms` after the change was seen). */
  repaired: [{ reason: ClaimReason; ms: number }];
  /** replaced: another live process took this node id over; the registration has stopped. */
  replaced: [NodeIdTakenError];
}

/**
 * Registration keeps one key in etcd under one lease for as long as it runs, and owns it: the first
 * registration is create-only (another live node with the same id makes `start` reject with
 * NodeIdTakenError, see key-claim.ts), and any outside change to the key (a delete, a value not its
 * own, its value without its lease) is put back at once, logged and emitted as `repaired`. Lease loss
 * is a state, not a crash: a lease that saw no keepalive for a whole TTL (etcd3 waits 2×TTL) or was
 * revoked is replaced (new lease, put again), retrying forever with backoff.
 */
export class Registration extends EventEmitter<RegistrationEvents> {
  readonly #opts: RegistrationOptions;
  readonly #closing = new AbortController();
  readonly #retry: RetryPolicy;
  readonly #watch: OwnKeyWatch;
  readonly #ownLeases = new Set<string>();
  #state: RegistrationState = 'idle';
  #lease: Lease | undefined;
  #leaseId = '';
  #leaseOkAt = 0;
  #value = '';
  #putRevision = 0n;
  #changedAt: number | undefined;
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
      retryable: (error) => !(error instanceof NodeIdTakenError),
    });
    this.#watch = new OwnKeyWatch({
      client: opts.client,
      key: opts.key,
      logger: opts.logger,
      onChange: (kv, revision) => this.#changed(kv, revision),
      onResumed: () => this.#changed(undefined, undefined),
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

  /**
   * start registers and keeps the registration alive; resolves at the first success, rejects with
   * NodeIdTakenError (and stops) if another live node holds the key.
   */
  async start(): Promise<void> {
    const periodMs = Math.max(100, (this.#opts.ttlSeconds * 1000) / 4);
    this.#checkTimer = setInterval(() => this.#check(), periodMs);
    this.#checkTimer.unref();
    this.#watch.start();
    this.#setState('registering');
    try {
      await this.#recover();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** close stops keeping alive and revokes the lease, so the key disappears at once. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#state !== 'replaced') this.#setState('closed');
    this.#closing.abort();
    clearInterval(this.#checkTimer);
    const lease = this.#lease;
    this.#lease = undefined;
    await Promise.allSettled([this.#watch.close(), lease?.revoke()]);
  }

  #setState(state: RegistrationState): void {
    if (this.#state === state || this.#state === 'closed' || this.#state === 'replaced') return;
    this.#state = state;
    this.emit('state', state);
  }

  /** Detect loss within one TTL: no keepalive answered for a whole TTL means etcd expired the lease. */
  #check(): void {
    if (this.#state !== 'registered') return;
    if (Date.now() - this.#leaseOkAt > this.#opts.ttlSeconds * 1000) this.#lost('no keepalive for one TTL');
  }

  #lost(reason: string): void {
    if (this.#state === 'closed' || this.#state === 'replaced') return;
    if (this.#state === 'registered') {
      this.#opts.logger.warn({ reason, leaseId: this.#leaseId }, 'lease lost');
      this.emit('lost', { reason });
    }
    this.#dropLease();
    this.#setState('recovering');
    this.#recover().catch(() => undefined);
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

  /**
   * #recoverLoop registers until it succeeds with no new request pending; never gives up, ends at
   * close. Another live holder of the key rejects the first registration, and stops a later one.
   */
  async #recoverLoop(): Promise<void> {
    const once = async (): Promise<void> => {
      do {
        this.#again = false;
        try {
          await this.#registerOnce();
        } catch (error) {
          if (!(error instanceof NodeIdTakenError)) this.#dropLease();
          this.#noteDenied(error);
          throw error;
        }
      } while (this.#again && this.#state !== 'closed');
    };
    try {
      await runRetrying(this.#retry, once, this.#closing.signal);
    } catch (error) {
      if (!(error instanceof NodeIdTakenError)) return; // rejects only once closed
      if (!this.#everRegistered) throw error;
      this.#replaced(error);
    }
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
      this.#ownLeases.add(this.#leaseId);
      this.#leaseOkAt = Date.now();
    }
    this.#value = this.#opts.value();
    const claim = await claimKey({
      client: this.#opts.client,
      key: this.#opts.key,
      nodeId: this.#opts.nodeId,
      value: this.#value,
      leaseId: this.#leaseId,
      ownLeases: this.#ownLeases,
      force: Boolean(this.#opts.replace) && !this.#everRegistered,
    });
    if (this.#state === 'closed') return;
    this.#putRevision = BigInt(claim.revision);
    this.#changedAt = claim.reason === 'own' ? undefined : this.#changedAt;
    if (claim.reason === 'own' && this.#everRegistered) {
      this.#setState('registered'); // checked after a watch resumed: nothing had changed
      return;
    }
    const again = this.#everRegistered;
    this.#everRegistered = true;
    if (again) this.reregistrations++;
    this.#deniedLogged = false;
    this.#setState('registered');
    const { logger } = this.#opts;
    const fields = { leaseId: this.#leaseId, key: this.#opts.key, reason: claim.reason };
    const changedAt = this.#changedAt;
    this.#changedAt = undefined;
    if (changedAt !== undefined) {
      const ms = Date.now() - changedAt;
      logger.warn({ ...fields, ms }, 'registry key changed from outside; put back');
      this.emit('repaired', { reason: claim.reason, ms });
    } else if (!again && claim.reason !== 'absent') logger.warn(fields, 'took over a stale registry key');
    logger.info(fields, again ? 're-registered' : 'registered');
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

  /**
   * #changed reacts to an outside change of the key (`revision` undefined: the watch resumed and may
   * have missed one): anything but our own value under our own lease is put back at once.
   */
  #changed(kv: IKeyValue | undefined, revision: string | undefined): void {
    if (this.#state !== 'registered') return;
    if (revision !== undefined && BigInt(revision) <= this.#putRevision) return; // from before our last put
    if (kv && kv.lease === this.#leaseId && kv.value.toString('utf8') === this.#value) return; // our own put
    this.#opts.logger.debug({ key: this.#opts.key, deleted: !kv, revision }, 'checking own key');
    this.#changedAt ??= Date.now();
    this.#setState('recovering');
    this.#recover().catch(() => undefined);
  }

  #replaced(error: NodeIdTakenError): void {
    this.#opts.logger.error(
      { key: error.key, holder: error.holder },
      'node id taken over by another process',
    );
    this.#setState('replaced');
    this.emit('replaced', error);
    void this.close();
  }
}
