import { BucketCounts, type MetricValue } from './bucket-counts.js';
import type { CallOutcome } from './dispatcher.js';

type Outcome = CallOutcome['outcome'];

/** One method's figures: calls per outcome, and durations in fixed buckets. */
interface MethodTally {
  outcomes: Map<Outcome, number>;
  durations: BucketCounts;
}

/**
 * CallTally counts a node's calls by method and outcome, and their durations in fixed buckets,
 * with plain arithmetic per call (no label hashing on the hot path: that was a fifth of a node's
 * CPU under batched load). The Prometheus metrics read it when scraped: `counts()` feeds the
 * calls counter, and the tally itself is the duration histogram's prom-client metric (`get()`).
 */
export class CallTally {
  readonly #methods = new Map<string, MethodTally>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  /** record counts one executed call. */
  record(method: string, outcome: Outcome, seconds: number): void {
    let m = this.#methods.get(method);
    if (m === undefined) {
      m = { outcomes: new Map(), durations: new BucketCounts(this.buckets) };
      this.#methods.set(method, m);
    }
    m.outcomes.set(outcome, (m.outcomes.get(outcome) ?? 0) + 1);
    m.durations.observe(seconds);
  }

  /** counts lists the calls so far by method and outcome. */
  *counts(): Generator<{ method: string; outcome: Outcome; calls: number }> {
    for (const [method, m] of this.#methods) {
      for (const [outcome, calls] of m.outcomes) yield { method, outcome, calls };
    }
  }

  // The prom-client metric interface of the duration histogram (type, aggregator, get, reset).
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  /** get renders the duration histogram as prom-client does: cumulative `le` buckets, sum, count. */
  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: MetricValue[];
  }> {
    const values: MetricValue[] = [];
    for (const [method, m] of this.#methods) m.durations.values(this.name, { method }, values);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** reset forgets everything (prom-client's `registry.resetMetrics()`). */
  reset(): void {
    this.#methods.clear();
  }
}
