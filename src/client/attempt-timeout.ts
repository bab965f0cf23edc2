/**
 * Per-attempt timeouts from what a node has shown: an attempt that has waited well past the node's
 * recent latency is given up on that node and the call goes to another (see call-one.ts). Safe
 * because every Arith method is pure: a call that runs twice (the original may still answer, and
 * is ignored) has the same effect as once.
 */
import { TransportError } from './errors.js';

/** ATTEMPT_TIMEOUT: the adaptive rule's constants. */
export const ATTEMPT_TIMEOUT = {
  /** multiplier: how many times the node's peak-EWMA latency an attempt may wait. */
  multiplier: 4,
  /** floorMs: the shortest adaptive timeout (latency noise and event-loop stalls stay under it). */
  floorMs: 250,
  /** ceilingMs: the longest adaptive timeout, however slow the node has been. */
  ceilingMs: 2_000,
} as const;

/**
 * attemptTimeoutMs returns how long one attempt on a node may wait before it is given up:
 * `fixedMs` when set (0 or Infinity: never), else `multiplier` × the node's recent peak-EWMA
 * latency (peak-sensitive: it jumps to a slow sample at once, so it stands in for a high
 * percentile) clamped to [floorMs, ceilingMs]. A node that has not answered yet (`latencyMs`
 * undefined) gets the ceiling: a cold node's first burst must not look slow.
 */
export function attemptTimeoutMs(latencyMs: number | undefined, fixedMs?: number): number {
  if (fixedMs !== undefined) return fixedMs > 0 ? fixedMs : Number.POSITIVE_INFINITY;
  const { multiplier, floorMs, ceilingMs } = ATTEMPT_TIMEOUT;
  if (latencyMs === undefined) return ceilingMs;
  const scaled = Number.isFinite(latencyMs) && latencyMs > 0 ? latencyMs * multiplier : 0;
  return Math.min(ceilingMs, Math.max(floorMs, scaled));
}

/**
 * AttemptTimeoutError: an attempt was given up on its node after `waitedMs` without an answer, and
 * the call was retried elsewhere (a retry already granted; callers never see it unless no other
 * node was left). Retryable.
 */
export class AttemptTimeoutError extends TransportError {
  constructor(
    readonly waitedMs: number,
    nodeId: string,
  ) {
    super(`no answer within ${Math.round(waitedMs)} ms, given up on this node`, nodeId, 'timeout');
  }
}

/**
 * GiveUp arms a PendingCall's early timer: at `at` (a `Date.now()` time before its deadline) it
 * calls `decide`, which returns the error to fail the call with (it is then retried elsewhere), or
 * undefined to keep waiting for the answer or the deadline.
 */
export interface GiveUp {
  at: number;
  decide: () => unknown;
}
