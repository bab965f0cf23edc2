/** Retrying etcd operations whose effect is idempotent (reads, put-if-absent), until they succeed. */
import {
  ClientClosedError,
  EtcdAuthenticationFailedError,
  EtcdPermissionDeniedError,
  GRPCInvalidArgumentError,
  GRPCResourceExhastedError,
  GRPCUnauthenticatedError,
} from 'etcd3';
import { ClusterError } from '../client/errors.js';
import type { Logger } from '../logger.js';
import { Backoff, sleep } from '../util/backoff.js';

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
  const backoff = new Backoff(50, 2_000);
  for (let failures = 1; ; failures++) {
    if (signal?.aborted) return undefined;
    try {
      return await untilAborted(op(), signal);
    } catch (error) {
      if (signal?.aborted) return undefined;
      if (isPermanentEtcdError(error) || failures >= maxAttempts) throw error;
      if (failures === 1 || failures % 20 === 0) {
        logger.warn({ err: (error as Error).message, failures }, 'etcd request failed; retrying');
      }
      await sleep(backoff.next(), signal);
    }
  }
}

/** untilAborted settles with `promise`, or rejects with the signal's reason once it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * etcdCall awaits one etcd operation for a public method: etcd3's errors become ClusterErrors
 * (`cause` chained, retryable unless permanent), and the signal's abort rejects at once.
 */
export function etcdCall<T>(op: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  const wrapped = op.catch((error: unknown) => {
    if (error instanceof ClusterError) throw error;
    const message = `etcd: ${(error as Error).message}`;
    throw new ClusterError(message, !isPermanentEtcdError(error), { cause: error });
  });
  if (signal?.aborted) return Promise.reject(signal.reason);
  return untilAborted(wrapped, signal);
}
