import { AttemptTimeoutError } from './attempt-timeout.js';
import type { CallOptions } from './call-options.js';
import type { CallRuntime } from './call-runtime.js';
import { isRetryable, NoNodesError } from './errors.js';
import type { Limiter } from './limiter.js';
import type { NodeClient } from './node-client.js';
import { CallRecord } from './pending-call.js';
import { Tries } from './tries.js';

/**
 * OneCall is a `call` without hedging, from its first attempt to its answer: the record of the
 * call (its Tries) and one OneAttempt per node tried, which the node's batch settles directly. No
 * async function, no promise per attempt, no closure: the caller's promise is the only one. When
 * it holds a `maxInflight` slot (`limiter`), it frees it as it settles. Retryable failures go to
 * another node (see callOne), or back to the only node left when it went silent (see Tries.mayGoBack);
 * an attempt given up on its node was granted its retry then.
 */
export class OneCall extends Tries {
  constructor(
    rt: CallRuntime,
    readonly method: string,
    readonly params: unknown,
    opts: CallOptions,
    deadlineMs: number,
    deadlineAt: number,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
    /** limiter: the limiter whose slot this call holds, released as it settles. */
    readonly limiter: Limiter | undefined,
    /** onAnswer: told which node answered, on success. */
    readonly onAnswer: ((nodeId: string) => void) | undefined,
  ) {
    super(rt, opts, deadlineMs, deadlineAt);
  }

  /** begin counts the call and sends its first attempt. */
  begin(): void {
    this.rt.budget.onRequest(performance.now());
    this.rt.stats.calls++;
    this.#launch();
  }

  /** answered: `attempt` succeeded; the call resolves with its result. */
  answered(attempt: OneAttempt, result: unknown): void {
    this.onAnswer?.(attempt.node.id);
    this.limiter?.release();
    this.resolve(result);
  }

  /** failed: an attempt failed with `error`; retried on another node when it may be, else the call fails. */
  failed(error: unknown): void {
    this.lastError = error;
    if (error instanceof AttemptTimeoutError)
      this.#launch(); // its retry was granted when it gave up
    else if (isRetryable(error) && (this.mayGoBack(error) || this.mayRetry())) this.#launch();
    else this.#fail(error);
  }

  #launch(): void {
    const node = this.pick();
    if (!node) {
      this.#fail(this.lastError);
      return;
    }
    const attempt = new OneAttempt(this, node);
    if (this.opts.signal?.aborted) attempt.fail(this.opts.signal.reason);
    else node.submit(attempt);
  }

  #fail(error: unknown): void {
    this.rt.stats.failures++;
    // A call that found no node sent nothing: it fails after a turn (see Cluster.#limited).
    if (this.limiter !== undefined && error instanceof NoNodesError) setImmediate(failLater, this, error);
    else {
      this.limiter?.release();
      this.reject(error);
    }
  }
}

function failLater(call: OneCall, error: unknown): void {
  call.limiter?.release();
  call.reject(error);
}

/** OneAttempt is one attempt of a OneCall on one node: what the node's batch carries and settles. */
export class OneAttempt extends CallRecord {
  readonly giveUpMs: number;

  constructor(
    readonly call: OneCall,
    readonly node: NodeClient,
  ) {
    super(call.method, call.params, call.deadlineAt, call.deadlineMs, call.opts.signal);
    const ms = call.giveUpMs(node);
    this.giveUpMs = ms;
    this.start(true, Date.now() + ms, ms);
  }

  protected onSucceed(result: unknown): void {
    this.call.answered(this, result);
  }

  protected onFail(error: unknown): void {
    this.call.failed(error);
  }

  protected override giveUpError(): unknown {
    return this.call.giveUp(this.node, this.giveUpMs);
  }
}
