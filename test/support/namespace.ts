import { randomBytes } from 'node:crypto';

/**
 * uniqueNamespace returns a fresh etcd key namespace such as `t-registry-1a2b3c4d`, so test
 * files that share one etcd never see each other's keys.
 */
export function uniqueNamespace(prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_.-]/g, '-');
  return `t-${safe}-${randomBytes(4).toString('hex')}`;
}
