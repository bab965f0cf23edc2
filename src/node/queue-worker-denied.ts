/**
 * What a node logs when etcd refuses its queue worker: the user, the prefix, what the worker needs
 * and the two ways out (credentials with the worker role, or a node without a worker).
 */
import { jobsPrefix, resultsPrefix } from '../results/keys.js';
import { queuePrefix } from '../results/queue/queue-keys.js';
import type { EtcdDenial } from '../util/retry-etcd.js';

/**
 * workerDeniedMessage is the one line a node logs when etcd refused its worker `denial` on `prefix`
 * (default the queue prefix, the worker's first read), e.g. `etcd permission denied for user
 * ns-node on /ns/queue/: queue worker not started; …`.
 */
export function workerDeniedMessage(
  denial: EtcdDenial,
  namespace: string,
  user: string | undefined,
  what: string,
  prefix = queuePrefix(namespace),
): string {
  const needs = [queuePrefix(namespace), resultsPrefix(namespace), jobsPrefix(namespace)].join(', ');
  return (
    `etcd ${denial} for user ${user ?? '(none)'} on ${prefix}: ${what}; ` +
    `a queue worker needs readwrite on ${needs} (the ${namespace}-worker role). ` +
    `Fix: run the node as a user with that role (\`arith etcd roles --namespace ${namespace}\` makes ` +
    `${namespace}-worker, with the node and worker roles), or start it with --no-worker (ARITH_NO_WORKER=true)`
  );
}
