import type { Membership } from './membership.js';
import type { RetryBudget } from './retry-budget.js';

/** ClientCounters are the SDK's own counters (also exposed through `cluster.stats()`). */
export interface ClientCounters {
  calls: number;
  failures: number;
  retries: number;
  hedges: number;
  fanouts: number;
}

/** CallRuntime is what every call mode needs from the cluster: nodes, budget, defaults, counters. */
export interface CallRuntime {
  membership: Membership;
  budget: RetryBudget;
  defaults: { deadlineMs: number; attempts: number; hedgeMs: number | undefined };
  stats: ClientCounters;
}
