import { createRequire } from 'node:module';

import type { Registry } from 'prom-client';

type PromClient = typeof import('prom-client');

let loaded: PromClient | undefined;

/**
 * promClient loads prom-client on first call (a CommonJS package: `require` and `import` share one
 * instance). Metrics that tally without it until the first scrape keep it, about 1.5 MB of RSS,
 * out of a process that is never scraped.
 */
export function promClient(): PromClient {
  loaded ??= createRequire(import.meta.url)('prom-client') as PromClient;
  return loaded;
}

/** collectedGauge registers a gauge on `registers` whose value is `read()` at each scrape. */
export function collectedGauge(registers: Registry[], name: string, help: string, read: () => number): void {
  new (promClient().Gauge)({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}

/**
 * collectedCounter registers a counter with one label on `registers` whose values are read at each
 * scrape: a hot path counts in plain numbers (`read()` returns label value → total so far) and
 * pays nothing for prom-client's label lookup per event.
 */
export function collectedCounter(
  registers: Registry[],
  name: string,
  help: string,
  labelName: string,
  read: () => Readonly<Record<string, number>>,
): void {
  new (promClient().Counter)({
    name,
    help,
    labelNames: [labelName],
    registers,
    collect() {
      this.reset();
      for (const [value, total] of Object.entries(read()))
        if (total > 0) this.inc({ [labelName]: value }, total);
    },
  });
}
