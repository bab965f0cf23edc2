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
