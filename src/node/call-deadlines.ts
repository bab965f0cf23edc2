import { callDeadlinesAt, deadlineAt } from '../protocol/deadline.js';
import type { CallContext } from './dispatcher.js';

/**
 * callDeadlines builds a message's deadlines for its CallContext: `deadline` from the client's
 * asked ms (capped by `timeoutMs`) and, when a batch carried one per call (see protocol/deadline.ts),
 * `deadlineOf`, which finds a call's own by its params object (the one the dispatcher runs it with).
 */
export function callDeadlines(
  message: unknown,
  askedMs: unknown,
  callMs: unknown,
  timeoutMs: number,
): Pick<CallContext, 'deadline' | 'deadlineOf'> {
  const now = Date.now();
  const deadline = deadlineAt(askedMs, timeoutMs, now);
  if (callMs === undefined || !Array.isArray(message)) return { deadline };
  const each = callDeadlinesAt(callMs, message.length, timeoutMs, now);
  if (!each) return { deadline };
  const byParams = new WeakMap<object, number>();
  for (let i = 0; i < message.length; i++) {
    const params = (message[i] as { params?: unknown } | null)?.params;
    if (params !== null && typeof params === 'object') byParams.set(params, each[i]!);
  }
  return {
    deadline,
    deadlineOf: (params) =>
      params !== null && typeof params === 'object' ? byParams.get(params) : undefined,
  };
}
