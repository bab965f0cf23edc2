import type { NodeClient } from './node-client.js';
import { PendingCall } from './pending-call.js';

/** Attempt is one call sent to one node, cancellable on its own (hedges and fan-outs abort losers). */
export interface Attempt {
  node: NodeClient;
  promise: Promise<unknown>;
  abort(): void;
}

/**
 * startAttempt sends `method(params)` to `node`, bounded by the absolute `deadlineAt` and by the
 * caller's `signal`; `abort()` cancels just this attempt.
 */
export function startAttempt(
  node: NodeClient,
  method: string,
  params: unknown,
  deadlineAt: number,
  deadlineMs: number,
  signal: AbortSignal | undefined,
): Attempt {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
  }
  const promise = new Promise<unknown>((resolve, reject) => {
    const call = new PendingCall(
      method,
      params,
      deadlineAt,
      deadlineMs,
      controller.signal,
      resolve,
      reject,
      () => signal?.removeEventListener('abort', onAbort),
    );
    if (controller.signal.aborted) call.fail(controller.signal.reason);
    else node.submit(call);
  });
  return { node, promise, abort: () => controller.abort(new Error('attempt cancelled')) };
}

/** SettledAttempt is an attempt's outcome, tagged with the attempt. */
export type SettledAttempt =
  | { attempt: Attempt; ok: true; value: unknown }
  | { attempt: Attempt; ok: false; error: unknown };

/** settle turns an attempt's promise into a never-rejecting tagged outcome. */
export function settle(attempt: Attempt): Promise<SettledAttempt> {
  return attempt.promise.then(
    (value) => ({ attempt, ok: true as const, value }),
    (error: unknown) => ({ attempt, ok: false as const, error }),
  );
}
