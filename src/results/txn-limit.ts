/**
 * What an etcd client has learned of its server's `--max-txn-ops`: etcd refuses a transaction
 * with more ops than that (`too many operations in txn request`) before applying any of it, so a
 * refused put-if-absent wrote nothing and may go again, narrower. Remembered per client, lowered
 * only: an etcd restarted with a higher limit is used in full by a new client.
 */

/** TOO_MANY: etcd's refusal of a transaction with more ops than its max-txn-ops. */
const TOO_MANY = /too many operations/i;

const learned = new WeakMap<object, number>();

/** tooManyOps: whether `error` is etcd refusing a transaction for its max-txn-ops (nothing of it was applied). */
export function tooManyOps(error: unknown): boolean {
  return TOO_MANY.test((error as { message?: string } | undefined)?.message ?? '');
}

/** txnLimit returns `wanted` keys per transaction, or fewer when `etcd` refused as many before. */
export function txnLimit(etcd: object, wanted: number): number {
  const known = learned.get(etcd);
  return known === undefined ? wanted : Math.min(wanted, known);
}

/**
 * narrower returns the next limit to try (half of `limit`, remembered for `etcd`) when `error` is
 * etcd refusing too many operations at `limit`; undefined for any other error, or at a limit of 1.
 */
export function narrower(etcd: object, limit: number, error: unknown): number | undefined {
  if (limit <= 1 || !tooManyOps(error)) return undefined;
  const next = Math.floor(limit / 2);
  learned.set(etcd, Math.min(next, learned.get(etcd) ?? next));
  return next;
}
