import type { Metric, Registry } from 'prom-client';
import { promClient } from '../util/prom-client.js';
import { CallTally } from './call-tally.js';

/** CallTallyNames: the two series a CallTally is published as, and its latency buckets. */
export interface CallTallyNames {
  /** counter: `<counter>{method,outcome}`, the calls. */
  counter: string;
  counterHelp: string;
  /** histogram: the latency histogram's name. */
  histogram: string;
  histogramHelp: string;
  buckets: number[];
}

/**
 * registerCallTally makes a CallTally (per-call figures tallied without prom-client on the hot
 * path) and registers it on `registry` as a latency histogram and a calls counter, both read at
 * each scrape. The node and the gateway publish their calls this way; `tally` is one that counted
 * already (a node's, made before its first scrape).
 */
export function registerCallTally(
  registry: Registry,
  names: CallTallyNames,
  tally = new CallTally(names.histogram, names.histogramHelp, names.buckets),
): CallTally {
  new (promClient().Counter)({
    name: names.counter,
    help: names.counterHelp,
    labelNames: ['method', 'outcome'],
    registers: [registry],
    // The tally holds the totals: publish them as they stand at each scrape.
    collect() {
      this.reset();
      for (const { method, outcome, calls } of tally.counts()) this.inc({ method, outcome }, calls);
    },
  });
  registry.registerMetric(tally as unknown as Metric);
  return tally;
}
