/** One retry policy for etcd operations (cockatiel), and retryEtcd for idempotent ones (reads, put-if-absent). */
import { ExponentialBackoff, halfJitterGenerator, handleWhen, type RetryPolicy, retry } from 'cockatiel';
import {
  ClientClosedError,
  EtcdAuthenticationFailedError,
  EtcdPermissionDeniedError,
  GRPCInvalidArgumentError,
  GRPCResourceExhastedError,
  GRPCUnauthenticatedError,
} from 'etcd3';
import type { Logger } from '../logger.js';
import { abortable } from './abortable.js';
import { logFailure } from './failure-log.js';

/** PERMANENT matches etcd error messages that no retry can fix: the request itself is refused. */
const PERMANENT =
  /too large|too many operations|duplicate key|permission denied|invalid auth|authentication failed/i;

/** PERMANENT_CLASSES: etcd3 errors that recur on every retry (bad request, auth, closed client). */
const PERMANENT_CLASSES = [
  ClientClosedError,
  GRPCInvalidArgumentError,
  GRPCResourceExhastedError,
  GRPCUnauthenticatedError,
  EtcdPermissionDeniedError,
  EtcdAuthenticationFailedError,
];

/** isPermanentEtcdError tells whether an etcd error will recur on every retry (bad request, auth, closed). */
export function isPermanentEtcdError(error: unknown): boolean {
  if (PERMANENT_CLASSES.some((c) => error instanceof c)) return true;
  return PERMANENT.test((error as { message?: string } | undefined)?.message ?? '');
}

/** EtcdRetryOptions shape one etcd retry policy. */
export interface EtcdRetryOptions {
  logger: Logger;
  /** message: the warning logged at the first failure of a streak and every 20th after. */
  message: string;
  /** initialMs, maxMs: the backoff's first and largest delay; each delay is drawn from the upper half of its step. */
  initialMs: number;
  maxMs: number;
  /** maxAttempts: most tries in all, the first included (default: no limit). */
  maxAttempts?: number;
  /** retryable: which errors are worth another try (default: every error). */
  retryable?: (error: Error) => boolean;
}

/**
 * etcdRetryPolicy builds the cockatiel retry policy for etcd operations: exponential backoff from
 * `initialMs` to `maxMs` (half jitter, as `util/backoff.ts`), timers unref'd, and a retry listener
 * that logs the first failure of a streak and one in 20 after. Run it with `runRetrying`.
 */
export function etcdRetryPolicy(options: EtcdRetryOptions): RetryPolicy {
  const policy = retry(handleWhen(options.retryable ?? (() => true)), {
    maxAttempts: (options.maxAttempts ?? Number.POSITIVE_INFINITY) - 1,
    backoff: new ExponentialBackoff({
      generator: halfJitterGenerator,
      initialDelay: options.initialMs,
      maxDelay: options.maxMs,
    }),
  }).dangerouslyUnref();
  policy.onRetry((reason) => {
    if ('error' in reason) logFailure(options.logger, reason.attempt, reason.error, options.message);
  });
  return policy;
}

/**
 * runRetrying runs `op` under `policy` until it succeeds or the policy gives up (rejecting with the
 * last error). Once `signal` aborts it rejects with `signal.reason` at once and starts no further
 * attempt (cockatiel's own delay cannot be cut short; the abandoned run ends after it).
 */
export function runRetrying<T>(
  policy: RetryPolicy,
  op: (signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const run = policy.execute(({ signal: s }) => {
    if (s.aborted) throw s.reason;
    return op(s);
  }, signal);
  return abortable(run, signal);
}

/**
 * retryEtcd runs `op` until it resolves, with exponential backoff (50 ms to 2 s) between failures,
 * logging the first failure of a streak and one in 20 after. Resolves undefined once `signal`
 * aborts (an attempt in flight is abandoned, not awaited); rejects for permanent errors, and with
 * the last error after `maxAttempts` tries (default: no limit).
 * Only for operations that are safe to repeat: reads and compare-guarded writes.
 */
export async function retryEtcd<T>(
  op: () => Promise<T>,
  logger: Logger,
  signal: AbortSignal | undefined,
  maxAttempts = Number.POSITIVE_INFINITY,
): Promise<T | undefined> {
  if (signal?.aborted) return undefined;
  const policy = idempotentPolicy(logger, maxAttempts);
  try {
    return await runRetrying(policy, op, signal);
  } catch (error) {
    if (signal?.aborted) return undefined;
    throw error;
  }
}

/** POLICIES: retryEtcd's policies by logger and attempt limit; a policy keeps no per-run state, so runs share it. */
const POLICIES = new WeakMap<Logger, Map<number, RetryPolicy>>();

function idempotentPolicy(logger: Logger, maxAttempts: number): RetryPolicy {
  let byLimit = POLICIES.get(logger);
  if (!byLimit) {
    byLimit = new Map();
    POLICIES.set(logger, byLimit);
  }
  let policy = byLimit.get(maxAttempts);
  if (!policy) {
    policy = etcdRetryPolicy({
      logger,
      message: 'etcd request failed; retrying',
      initialMs: 50,
      maxMs: 2_000,
      maxAttempts,
      retryable: (error) => !isPermanentEtcdError(error),
    });
    byLimit.set(maxAttempts, policy);
  }
  return policy;
}

/** EtcdDenial names why etcd refused a request whatever the retry: wrong credentials or a missing role permission. */
export type EtcdDenial = 'authentication failed' | 'permission denied';

/** etcdDenial tells whether `error` (or an error in its `cause` chain) is etcd refusing the credentials or the permission. */
export function etcdDenial(error: unknown): EtcdDenial | undefined {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const message = (e as { message?: string }).message ?? '';
    if (
      e instanceof EtcdAuthenticationFailedError ||
      /authentication failed|invalid auth|user ID or password/i.test(message)
    )
      return 'authentication failed';
    if (e instanceof EtcdPermissionDeniedError || /permission denied/i.test(message))
      return 'permission denied';
  }
  return undefined;
}
