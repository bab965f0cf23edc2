import type { Logger } from '../logger.js';

/** LOG_EVERY: after the first failure of a streak, one failure in this many is logged. */
export const LOG_EVERY = 20;

/**
 * logFailure warns about the `failures`-th failure in a row (counting from 1) when it is the first
 * of its streak or a multiple of LOG_EVERY, so a long outage logs a line now and then, not a storm.
 * Logs `{ err, failures }` with `msg`; returns whether it logged.
 */
export function logFailure(logger: Logger, failures: number, error: unknown, msg: string): boolean {
  if (failures !== 1 && failures % LOG_EVERY !== 0) return false;
  logger.warn({ err: (error as Error | undefined)?.message ?? String(error), failures }, msg);
  return true;
}
