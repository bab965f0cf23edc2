import { type Attempt, type SettledAttempt, settle } from './attempt.js';
import { AttemptTimeoutError } from './attempt-timeout.js';
import { type CallDeadline, callDeadline } from './call-deadline.js';
import type { CallOptions } from './call-options.js';
import type { CallRuntime } from './call-runtime.js';
import { isRetryable } from './errors.js';
import { OneCall } from './one-call.js';
import { Tries } from './tries.js';

export type { CallOptions } from './call-options.js';

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
  if (hedgeMs !== undefined && hedgeMs > 0) {
    rt.budget.onRequest(performance.now());
    rt.stats.calls++;
    return hedged(new Tries(rt, opts, deadline.ms, deadline.at), method, params, hedgeMs, onAnswer);
  }
  const { ms, at } = deadline;
  return new Promise((resolve, reject) => {
    new OneCall(rt, method, params, opts, ms, at, resolve, reject, undefined, onAnswer).begin();
  });
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
      else if (running.size === 0 && (tries.mayGoBack(next.error) || tries.mayRetry())) launch();
    }
    throw tries.lastError;
  } catch (error) {
    rt.stats.failures++;
    throw error;
  } finally {
    for (const attempt of running.keys()) attempt.abort();
  }
}
