import type { GiveUp } from './attempt-timeout.js';
import type { NodeClient } from './node-client.js';
import { PendingCall } from './pending-call.js';

/** CANCELLED is the reason an attempt abandoned by its call (hedge or fan-out loser) fails with. */
export const CANCELLED = new Error('attempt cancelled');

/** Attempt is one call sent to one node, cancellable on its own (hedges and fan-outs abort losers). */
export interface Attempt {
  node: NodeClient;
  promise: Promise<unknown>;
  /** abort settles this attempt at once; a late answer from the node is dropped. */
  abort(): void;
}

/**
 * startAttempt sends `method(params)` to `node`, bounded by the absolute `deadlineAt` and by the
 * caller's `signal` (and, with `giveUp`, given up early on this node). No AbortController per attempt: they cost more than the call on the hot path.
 */
export function startAttempt(
  node: NodeClient,
  method: string,
  params: unknown,
  deadlineAt: number,
  deadlineMs: number,
  signal: AbortSignal | undefined,
  cancellable = false,
  giveUp?: GiveUp,
): Attempt {
  let call: PendingCall | undefined;
  const promise = new Promise<unknown>((resolve, reject) => {
    call = new PendingCall(method, params, deadlineAt, deadlineMs, signal, resolve, reject, true, giveUp);
    if (cancellable) call.cancellable = true;
    if (signal?.aborted) call.fail(signal.reason);
    else node.submit(call);
  });
  return {
    node,
    promise,
    abort: () => call?.fail(CANCELLED),
  };
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
