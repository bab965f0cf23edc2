/** etcd calls behind the results store's public methods (the retry policy lives in `src/util/retry-etcd.ts`). */
import { ClusterError } from '../client/errors.js';
import { abortable } from '../util/abortable.js';
import { isPermanentEtcdError } from '../util/retry-etcd.js';

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
  return abortable(wrapped, signal);
}
