import type { CallOptions } from './call-one.js';
import { LimiterWaiter } from './limiter.js';

/**
 * HeldCallRunner starts a call that already holds a `maxInflight` slot (it frees the slot when the
 * call settles) and settles `resolve` / `reject` with its outcome.
 */
export type HeldCallRunner = (
  method: string,
  params: unknown,
  options: CallOptions,
  deadlineMs: number,
  deadlineAt: number,
  resolve: (value: unknown) => void,
  reject: (error: unknown) => void,
) => void;

/**
 * QueuedCall is one `call` waiting for a `maxInflight` slot. With 100,000 calls pending most of
 * them wait here, so a waiting call is this one object and its caller's promise: no closure, no
 * suspended async function, no promise of the limiter's own. Once granted a slot it runs through
 * `run` (which releases the slot) and settles the caller's promise with the outcome; refused
 * (aborted, deadline passed, queue full, client closed) it rejects it with the reason.
 */
export class QueuedCall extends LimiterWaiter {
  constructor(
    readonly run: HeldCallRunner,
    readonly method: string,
    readonly params: unknown,
    readonly options: CallOptions,
    /** deadlineMs: the call's budget, fixed (with `at`) when the caller called. */
    readonly deadlineMs: number,
    at: number,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
  ) {
    super(options.signal, at);
  }

  /** granted starts the call in the slot it was handed. */
  granted(): void {
    this.run(this.method, this.params, this.options, this.deadlineMs, this.at, this.resolve, this.reject);
  }

  /** refused rejects the caller's promise with why the call left the queue. */
  refused(error: unknown): void {
    this.reject(error);
  }
}
