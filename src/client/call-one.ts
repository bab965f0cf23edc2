import { type Attempt, type SettledAttempt, settle, startAttempt } from './attempt.js';
import { isRetryable, NoNodesError } from './errors.js';
import type { CallRuntime } from './runtime.js';

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
}

/**
 * callOne runs a call on one node picked by the balancer. Transport errors and timeouts are retried
 * on other nodes (bounded attempts, retry budget); JSON-RPC errors are answers and never retried.
 * With `hedgeMs`, a second copy goes to another node after that delay; the first success wins.
 */
export async function callOne(
  rt: CallRuntime,
  method: string,
  params: unknown,
  opts: CallOptions,
): Promise<unknown> {
  const deadlineMs = opts.deadlineMs ?? rt.defaults.deadlineMs;
  const deadlineAt = Date.now() + deadlineMs;
  const maxAttempts = Math.max(1, opts.attempts ?? rt.defaults.attempts);
  const hedgeMs = opts.hedgeMs ?? rt.defaults.hedgeMs;
  const tried = new Set<string>();
  const running = new Map<Attempt, Promise<SettledAttempt>>();
  let started = 0;
  let lastError: unknown;
  rt.budget.onRequest(performance.now());
  rt.stats.calls++;

  const launch = (): boolean => {
    const picker = rt.membership.picker;
    let node = picker.pick({ key: opts.key, exclude: tried });
    if (!node && tried.size > 0) node = picker.pick({ key: opts.key });
    if (!node) {
      lastError ??= new NoNodesError(picker.size === 0 ? 'no live nodes' : 'every node failed');
      return false;
    }
    tried.add(node.id);
    started++;
    const attempt = startAttempt(node, method, params, deadlineAt, deadlineMs, opts.signal);
    running.set(attempt, settle(attempt));
    return true;
  };
  const mayRetry = (): boolean => {
    if (started >= maxAttempts || Date.now() >= deadlineAt || opts.signal?.aborted) return false;
    if (!rt.budget.tryWithdraw(performance.now())) return false;
    rt.stats.retries++;
    return true;
  };

  try {
    if (!launch()) throw lastError;
    while (running.size > 0) {
      const hedging = hedgeMs !== undefined && hedgeMs > 0 && running.size === 1 && started < maxAttempts;
      let timer: NodeJS.Timeout | undefined;
      const hedge = hedging
        ? new Promise<'hedge'>((resolve) => {
            timer = setTimeout(() => resolve('hedge'), hedgeMs);
          })
        : undefined;
      const racers: Promise<SettledAttempt | 'hedge'>[] = [...running.values()];
      if (hedge) racers.push(hedge);
      const next = await Promise.race(racers);
      clearTimeout(timer);
      if (next === 'hedge') {
        if (mayRetry()) {
          rt.stats.hedges++;
          launch();
        }
        continue;
      }
      running.delete(next.attempt);
      if (next.ok) return next.value;
      lastError = next.error;
      if (!isRetryable(next.error)) throw next.error;
      if (running.size === 0 && mayRetry()) launch();
    }
    throw lastError;
  } catch (error) {
    rt.stats.failures++;
    throw error;
  } finally {
    for (const attempt of running.keys()) attempt.abort();
  }
}
