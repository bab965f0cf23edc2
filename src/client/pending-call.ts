import type { GiveUp } from './attempt-timeout.js';
import { arm, disarm, Timed } from './call-timers.js';
import { DeadlineExceededError } from './errors.js';

/** ONCE: the listener options of every abort listener (shared, not an object per call). */
const ONCE = Object.freeze({ once: true });

/**
 * CallRecord is one JSON-RPC call waiting for its answer from one node: what a batch carries and
 * settles. It settles once: with the node's answer, at its deadline, when the caller's signal
 * aborts, when its attempt is cancelled, or when it is given up on its node (`giveUpAt`). Its
 * timing is an entry in the shared call timers (call-timers.ts), not a `setTimeout` of its own,
 * and it is its own abort listener (`handleEvent`), not a closure. Subclasses say what settling
 * does (`onSucceed`, `onFail`) and whether to give up (`giveUpError`).
 */
export abstract class CallRecord extends Timed {
  #settled = false;
  /** #givingUp: the timer armed is the give-up one (then the deadline one). */
  #givingUp = false;

  /**
   * onCancel is set by the node client while this call travels alone in an HTTP request: failing
   * the call before its answer (cancelled, aborted, deadline) then aborts that request too.
   */
  onCancel: (() => void) | undefined = undefined;

  /**
   * cancellable: someone may settle this call before its answer (a hedge or fan-out loser, or a
   * caller's signal), so its lone HTTP request should be abortable. Plain calls skip the cost.
   */
  cancellable = false;

  constructor(
    readonly method: string,
    readonly params: unknown,
    /** deadlineAt: absolute `Date.now()` time after which the call fails with DeadlineExceededError. */
    readonly deadlineAt: number,
    readonly deadlineMs: number,
    /** signal: the caller's own signal, if any (also passed to the HTTP request of a lone call). */
    readonly signal: AbortSignal | undefined,
  ) {
    super();
  }

  /**
   * start arms the call's timer (give-up at `giveUpAt` after `giveUpMs` when that falls before the
   * deadline, else the deadline; none when `timed` is false: the owner bounds a whole group) and
   * its abort listener. Subclass constructors call it once their own fields are set.
   */
  protected start(timed: boolean, giveUpAt: number, giveUpMs: number): void {
    if (timed) {
      if (giveUpAt < this.deadlineAt) {
        this.#givingUp = true;
        arm(this, giveUpAt, giveUpMs);
      } else arm(this, this.deadlineAt, this.deadlineMs);
    }
    if (this.signal) {
      this.cancellable = true;
      this.signal.addEventListener('abort', this, ONCE);
    }
  }

  /** settled is true once the call has succeeded or failed (later answers are dropped). */
  get settled(): boolean {
    return this.#settled;
  }

  /** succeed settles the call with a result (no-op if already settled). */
  succeed(result: unknown): void {
    if (this.#finish()) this.onSucceed(result);
  }

  /** fail settles the call with an error (no-op if already settled). */
  fail(error: unknown): void {
    if (!this.#finish()) return;
    this.onFail(error);
    this.onCancel?.();
  }

  /** handleEvent is the abort listener: the call fails with the signal's reason. */
  handleEvent(): void {
    this.fail(this.signal?.reason);
  }

  /** expired is the call timer: give up on the node (if `giveUpError` says so), or the deadline. */
  expired(): void {
    if (this.#settled) return;
    if (!this.#givingUp) {
      this.fail(new DeadlineExceededError(this.deadlineMs));
      return;
    }
    this.#givingUp = false;
    const error = this.giveUpError();
    if (error !== undefined) this.fail(error);
    else arm(this, this.deadlineAt, this.deadlineMs);
  }

  /** onSucceed: what the answer settles (called once). */
  protected abstract onSucceed(result: unknown): void;
  /** onFail: what a failure settles (called once). */
  protected abstract onFail(error: unknown): void;
  /** giveUpError: the error to give the call up with at `giveUpAt`, or undefined to keep waiting. */
  protected giveUpError(): unknown {
    return undefined;
  }

  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    disarm(this);
    this.signal?.removeEventListener('abort', this);
    return true;
  }
}

/**
 * PendingCall is a CallRecord that settles a promise (`resolve`, `reject`): hedges, fan-outs,
 * `callMany` groups. With `giveUp`, it asks `giveUp.decide` at `giveUp.at` whether to give up.
 */
export class PendingCall extends CallRecord {
  constructor(
    method: string,
    params: unknown,
    deadlineAt: number,
    deadlineMs: number,
    signal: AbortSignal | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
    /** timed: arm a timer for the deadline; false when the owner bounds a whole group with one. */
    timed = true,
    /** giveUp: ask at `giveUp.at` whether to give the call up on this node (see GiveUp). */
    readonly giveUp?: GiveUp,
  ) {
    super(method, params, deadlineAt, deadlineMs, signal);
    const at = giveUp ? giveUp.at : Number.POSITIVE_INFINITY;
    this.start(timed, at, at - Date.now());
  }

  protected onSucceed(result: unknown): void {
    this.resolve(result);
  }

  protected onFail(error: unknown): void {
    this.reject(error);
  }

  protected override giveUpError(): unknown {
    return this.giveUp?.decide();
  }
}
