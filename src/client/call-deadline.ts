/**
 * CallDeadline is a call's budget, fixed when the caller calls: its length (`ms`, reported in
 * DeadlineExceededError and passed to the node) and the absolute `Date.now()` time it ends (`at`).
 * Time spent waiting for a `maxInflight` slot counts against it.
 */
export interface CallDeadline {
  readonly ms: number;
  readonly at: number;
}

/** callDeadline fixes a call's deadline at `now`: `deadlineMs` if given, else `defaultMs`. */
export function callDeadline(
  deadlineMs: number | undefined,
  defaultMs: number,
  now = Date.now(),
): CallDeadline {
  const ms = deadlineMs ?? defaultMs;
  return { ms, at: now + ms };
}
