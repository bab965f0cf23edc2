import { type Attempt, type SettledAttempt, settle, startAttempt } from './attempt.js';
import { AttemptTimeoutError, attemptTimeoutMs, type GiveUp } from './attempt-timeout.js';
import { type CallDeadline, callDeadline } from './call-deadline.js';
import type { CallRuntime } from './call-runtime.js';
import { isRetryable, NoNodesError } from './errors.js';
import type { NodeClient } from './node-client.js';

/** CallOptions apply to every call mode. */
export interface CallOptions {
  /** signal: aborts the call (rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /** deadlineMs: the whole call's budget, retries included; passed to the node and enforced there. */
  deadlineMs?: number | undefined;
  /** key: a caller key for the consistent-hash balancer. */
  key?: string | undefined;
  /** attempts: most nodes to try for transport errors (default from connect options). */
  attempts?: number | undefined;
  /** hedgeMs: send a second copy to another node if no answer after this long (off by default). */
  hedgeMs?: number | undefined;
  /** attemptTimeoutMs: give an attempt up on its node after this long (see ConnectOptions; 0: never). */
  attemptTimeoutMs?: number | undefined;
}

/**
 * callOne runs a call on one node picked by the balancer, within `deadline` (fixed when the caller
 * called). Retryable failures (transport errors, a node overloaded or shutting down) are retried
 * on other nodes (bounded attempts, retry budget); JSON-RPC application and protocol errors are
 * answers and never retried. An attempt that waits past its node's attempt timeout (see
 * attempt-timeout.ts) is given up there and retried on another node, if the retry budget allows
 * (otherwise it keeps waiting); its late answer is ignored. This is safe because calls are
 * idempotent (Arith is pure). With `hedgeMs`, a second copy goes to another node after that
 * delay; the first success wins.
 */
export function callOne(
  rt: CallRuntime,
  method: string,
  params: unknown,
  opts: CallOptions,
  deadline: CallDeadline = callDeadline(opts.deadlineMs, rt.defaults.deadlineMs),
  onAnswer?: (nodeId: string) => void,
): Promise<unknown> {
  const hedgeMs = opts.hedgeMs ?? rt.defaults.hedgeMs;
  rt.budget.onRequest(performance.now());
  rt.stats.calls++;
  // One async function per call, not two: each suspended one costs a few hundred bytes pending.
  return hedgeMs !== undefined && hedgeMs > 0
    ? hedged(new Tries(rt, opts, deadline), method, params, hedgeMs, onAnswer)
    : sequential(new Tries(rt, opts, deadline), method, params, onAnswer);
}

/** Tries shared by both paths: the deadline, the nodes tried, and the retry decision. */
class Tries {
  readonly deadlineMs: number;
  readonly deadlineAt: number;
  readonly max: number;
  /** first: the first node tried; `tried` (all of them) exists only once a call goes to a second. */
  first: string | undefined;
  tried: Set<string> | undefined;
  started = 0;
  lastError: unknown;
  /** cancellable: attempts may be abandoned (hedging), so their requests must be abortable. */
  cancellable = false;

  constructor(
    readonly rt: CallRuntime,
    readonly opts: CallOptions,
    deadline: CallDeadline,
  ) {
    this.deadlineMs = deadline.ms;
    this.deadlineAt = deadline.at;
    this.max = Math.max(1, opts.attempts ?? rt.defaults.attempts);
  }

  /** start sends an attempt to a node not tried yet (any node once all were); undefined if none. */
  start(method: string, params: unknown): Attempt | undefined {
    const picker = this.rt.membership.picker;
    const key = this.opts.key;
    if (this.first !== undefined) this.tried ??= new Set([this.first]);
    const exclude = this.tried;
    const node = picker.pick({ key, exclude }) ?? (exclude ? picker.pick({ key }) : undefined);
    if (!node) {
      this.lastError ??= new NoNodesError(picker.size === 0 ? 'no live nodes' : 'every node failed');
      return undefined;
    }
    if (this.first === undefined) this.first = node.id;
    else exclude?.add(node.id);
    this.started++;
    return startAttempt(
      node,
      method,
      params,
      this.deadlineAt,
      this.deadlineMs,
      this.opts.signal,
      this.cancellable,
      this.#giveUp(node),
    );
  }

  /**
   * #giveUp arms `node`'s attempt timeout when it falls before the deadline: then, if a retry is
   * allowed (it is withdrawn from the budget here), the attempt fails with AttemptTimeoutError.
   */
  #giveUp(node: NodeClient): GiveUp | undefined {
    const fixed = this.opts.attemptTimeoutMs ?? this.rt.defaults.attemptTimeoutMs;
    const ms = attemptTimeoutMs(node.recentLatencyMs(), fixed);
    const at = Date.now() + ms;
    if (!(at < this.deadlineAt)) return undefined;
    return {
      at,
      decide: () => {
        node.onGaveUp();
        if (!this.mayRetry()) return undefined;
        this.rt.stats.attemptTimeouts++;
        return new AttemptTimeoutError(ms, node.id);
      },
    };
  }

  /** mayRetry: attempts left, time left, not aborted, and the retry budget allows one more. */
  mayRetry(): boolean {
    if (this.started >= this.max || Date.now() >= this.deadlineAt || this.opts.signal?.aborted) return false;
    if (!this.rt.budget.tryWithdraw(performance.now())) return false;
    this.rt.stats.retries++;
    return true;
  }
}

/** The common path: one attempt at a time, the next only after a retryable failure. */
async function sequential(
  tries: Tries,
  method: string,
  params: unknown,
  onAnswer: ((nodeId: string) => void) | undefined,
): Promise<unknown> {
  try {
    for (;;) {
      const attempt = tries.start(method, params);
      if (!attempt) throw tries.lastError;
      try {
        const value = await attempt.promise;
        onAnswer?.(attempt.node.id);
        return value;
      } catch (error) {
        tries.lastError = error;
        if (error instanceof AttemptTimeoutError) continue; // its retry was granted when it gave up
        if (!isRetryable(error) || !tries.mayRetry()) throw error;
      }
    }
  } catch (error) {
    tries.rt.stats.failures++;
    throw error;
  }
}

/** Hedged: a second copy goes to another node after `hedgeMs` without an answer; first success wins. */
async function hedged(
  tries: Tries,
  method: string,
  params: unknown,
  hedgeMs: number,
  onAnswer: ((nodeId: string) => void) | undefined,
): Promise<unknown> {
  const rt = tries.rt;
  tries.cancellable = true;
  const running = new Map<Attempt, Promise<SettledAttempt>>();
  const launch = (): void => {
    const attempt = tries.start(method, params);
    if (attempt) running.set(attempt, settle(attempt));
  };
  try {
    launch();
    while (running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const racers: Promise<SettledAttempt | 'hedge'>[] = [...running.values()];
      if (running.size === 1 && tries.started < tries.max) {
        racers.push(new Promise((resolve) => (timer = setTimeout(() => resolve('hedge'), hedgeMs))));
      }
      const next = await Promise.race(racers);
      clearTimeout(timer);
      if (next === 'hedge') {
        if (tries.mayRetry()) {
          rt.stats.hedges++;
          launch();
        }
        continue;
      }
      running.delete(next.attempt);
      if (next.ok) {
        onAnswer?.(next.attempt.node.id);
        return next.value;
      }
      tries.lastError = next.error;
      if (!isRetryable(next.error)) throw next.error;
      if (next.error instanceof AttemptTimeoutError)
        launch(); // its retry was granted when it gave up
      else if (running.size === 0 && tries.mayRetry()) launch();
    }
    throw tries.lastError;
  } catch (error) {
    rt.stats.failures++;
    throw error;
  } finally {
    for (const attempt of running.keys()) attempt.abort();
  }
}
