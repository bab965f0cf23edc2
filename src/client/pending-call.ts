import type { GiveUp } from './attempt-timeout.js';
import { DeadlineExceededError } from './errors.js';

/**
 * PendingCall is one JSON-RPC call waiting for its answer from one node. It settles once: with the
 * node's answer, at its deadline, when the caller's signal aborts, when its attempt is cancelled,
 * or when it is given up on its node (`giveUp`: one timer serves both that and the deadline).
 */
export class PendingCall {
  #settled = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #onAbort: (() => void) | undefined;

  constructor(
    readonly method: string,
    readonly params: unknown,
    /** deadlineAt: absolute `Date.now()` time after which the call fails with DeadlineExceededError. */
    readonly deadlineAt: number,
    readonly deadlineMs: number,
    /** signal: the caller's own signal, if any (also passed to the HTTP request of a lone call). */
    readonly signal: AbortSignal | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
    /** timed: arm a timer for the deadline; false when the owner bounds a whole group with one. */
    timed = true,
    /** giveUp: ask at `giveUp.at` whether to give the call up on this node (see GiveUp). */
    giveUp?: GiveUp,
  ) {
    if (!timed) this.#timer = undefined;
    else if (giveUp && giveUp.at < deadlineAt) {
      this.#timer = setTimeout(() => this.#askGiveUp(giveUp), Math.max(0, giveUp.at - Date.now()));
    } else this.#timer = this.#deadlineTimer();
    if (signal) {
      this.cancellable = true;
      this.#onAbort = () => this.fail(signal.reason);
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** settled is true once the call has succeeded or failed (later answers are dropped). */
  get settled(): boolean {
    return this.#settled;
  }

  /** succeed settles the call with a result (no-op if already settled). */
  succeed(result: unknown): void {
    if (this.#finish()) this.resolve(result);
  }

  /**
   * onCancel is set by the node client while this call travels alone in an HTTP request: failing
   * the call before its answer (cancelled, aborted, deadline) then aborts that request too.
   */
  onCancel: (() => void) | undefined;

  /**
   * cancellable: someone may settle this call before its answer (a hedge or fan-out loser, or a
   * caller's signal), so its lone HTTP request should be abortable. Plain calls skip the cost.
   */
  cancellable = false;

  /** fail settles the call with an error (no-op if already settled). */
  fail(error: unknown): void {
    if (!this.#finish()) return;
    this.reject(error);
    this.onCancel?.();
  }

  #deadlineTimer(): NodeJS.Timeout {
    return setTimeout(
      () => this.fail(new DeadlineExceededError(this.deadlineMs)),
      Math.max(0, this.deadlineAt - Date.now()),
    );
  }

  #askGiveUp(giveUp: GiveUp): void {
    if (this.#settled) return;
    const error = giveUp.decide();
    if (error !== undefined) this.fail(error);
    else this.#timer = this.#deadlineTimer();
  }

  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort) this.signal?.removeEventListener('abort', this.#onAbort);
    return true;
  }
}
