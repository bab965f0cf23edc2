/** Where results and jobs live in etcd, beside the registry's `/<namespace>/nodes/`. */

/** resultsPrefix is the etcd prefix of stored results. */
export function resultsPrefix(namespace: string): string {
  return `/${namespace}/results/`;
}

/** jobsPrefix is the etcd prefix of bulk job records. */
export function jobsPrefix(namespace: string): string {
  return `/${namespace}/jobs/`;
}
