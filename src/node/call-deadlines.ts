import { callDeadlinesAt, deadlineAt } from '../protocol/deadline.js';
import type { CallContext } from './dispatcher.js';

/**
 * callDeadlines builds a message's deadlines for its CallContext: `deadline` from the client's
 * asked ms (capped by `timeoutMs`) and, when a batch carried one per call (see protocol/deadline.ts),
 * `deadlineOf`, which gives the deadline of the batch element at an index. Both count from `now`
 * (default: this moment; a transport passes the time the message was read).
 */
export function callDeadlines(
  message: unknown,
  askedMs: unknown,
  callMs: unknown,
  timeoutMs: number,
  now = Date.now(),
): Pick<CallContext, 'deadline' | 'deadlineOf'> {
  const deadline = deadlineAt(askedMs, timeoutMs, now);
  if (callMs === undefined || !Array.isArray(message)) return { deadline };
  const each = callDeadlinesAt(callMs, message.length, timeoutMs, now);
  if (!each) return { deadline };
  return { deadline, deadlineOf: (index) => each[index] };
}
