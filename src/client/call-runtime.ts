import type { RetryBudget } from '../util/retry-budget.js';
import type { Membership } from './membership.js';

/** ClientCounters are the SDK's own counters (also exposed through `cluster.stats()`). */
export interface ClientCounters {
  calls: number;
  failures: number;
  retries: number;
  hedges: number;
  fanouts: number;
  /** attemptTimeouts: attempts given up on a slow or silent node and retried on another. */
  attemptTimeouts: number;
}

/** CallRuntime is what every call mode needs from the cluster: nodes, budget, defaults, counters. */
export interface CallRuntime {
  membership: Membership;
  budget: RetryBudget;
  defaults: {
    deadlineMs: number;
    attempts: number;
    hedgeMs: number | undefined;
    /** attemptTimeoutMs: fixed per-attempt timeout (0: none); undefined: adaptive (attempt-timeout.ts). */
    attemptTimeoutMs: number | undefined;
  };
  stats: ClientCounters;
}
