import { checkInt, checkMs, checkObject, checkSignal, checkString } from '../util/check-options.js';

/**
 * CallOptions apply to every call mode. Millisecond options must be numbers >= 0 (TypeError or
 * RangeError otherwise); `Infinity` and values above 2^31 - 1 (setTimeout's limit) count as
 * 2^31 - 1 ms, about 24.8 days.
 */
export interface CallOptions {
  /** signal: aborts the call (rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /** deadlineMs: the whole call's budget, retries included; passed to the node and enforced there. */
  deadlineMs?: number | undefined;
  /** key: a caller key for the consistent-hash balancer. */
  key?: string | undefined;
  /** attempts: most nodes to try for transport errors, an integer >= 1 (default from connect options). */
  attempts?: number | undefined;
  /** hedgeMs: send a second copy to another node if no answer after this long (off by default; 0: off). */
  hedgeMs?: number | undefined;
  /** attemptTimeoutMs: give an attempt up on its node after this long (see ConnectOptions; 0: never). */
  attemptTimeoutMs?: number | undefined;
}

/**
 * checkCallOptions validates a call's options and returns them, or a copy with its millisecond
 * options clamped (see CallOptions) when one needed it.
 * @throws TypeError / RangeError naming the option.
 */
export function checkCallOptions<O extends CallOptions>(options: O): O {
  checkObject('call options', options, false);
  const { deadlineMs, attemptTimeoutMs, hedgeMs } = options;
  const d = checkMs('deadlineMs', deadlineMs);
  const a = checkMs('attemptTimeoutMs', attemptTimeoutMs);
  const h = checkMs('hedgeMs', hedgeMs);
  checkInt('attempts', options.attempts, 1);
  checkString('key', options.key, true);
  checkSignal('signal', options.signal);
  if (d === deadlineMs && a === attemptTimeoutMs && h === hedgeMs) return options;
  return { ...options, deadlineMs: d, attemptTimeoutMs: a, hedgeMs: h };
}
