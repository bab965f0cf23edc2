import type { Metric, Registry } from 'prom-client';
import { collectedGauge, promClient } from '../util/prom-client.js';
import type { BucketCounts, MetricValue } from './bucket-counts.js';
import type { CallTally } from './call-tally.js';
import { registerCallTally } from './call-tally-metrics.js';

/** MetricsSources are read at scrape time (gauges that mirror live state). */
export interface MetricsSources {
  inflight(): number;
  /** inflightCalls: calls admitted and not yet answered, over both transports. */
  inflightCalls?(): number;
  /** connections: open client connections, over both ports. */
  connections?(): number;
  /** pausedConnections: TCP connections the node is not reading now (pipeline full or answers unread). */
  pausedConnections?(): number;
  registered(): boolean;
  reregistrations(): number;
}

/** NodeTallies: what a node counted itself, with plain arithmetic, since it started. */
export interface NodeTallies {
  calls: CallTally;
  /** requests: JSON-RPC messages by transport. */
  requests: Map<string, number>;
  /** batch: calls per batch. */
  batch: BucketCounts;
  /** rejects: refused requests, keyed `<transport> <reason>`. */
  rejects: Map<string, number>;
  /** repairs: registry key repairs by reason. */
  repairs: Map<string, number>;
}

/**
 * nodeRegistry makes a node's prom-client registry (loading prom-client): the default process
 * metrics, and every tally as it stands at each scrape. Called on the first scrape.
 */
export function nodeRegistry(
  sources: MetricsSources,
  labels: Record<string, string>,
  t: NodeTallies,
): Registry {
  const { Counter, Registry, collectDefaultMetrics } = promClient();
  const registry = new Registry();
  const registers = [registry];
  registry.setDefaultLabels(labels);
  // Event-loop lag sampled every 100 ms, not prom-client's 10 ms: the 100 Hz timer alone doubled an
  // idle node's CPU (1.6% → 0.8% of a core), and 100 ms still catches every stall worth alerting on.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  registerCallTally(
    registry,
    {
      counter: 'arith_calls_total',
      counterHelp: 'Arith calls executed, by method and outcome',
      histogram: t.calls.name,
      histogramHelp: t.calls.help,
      buckets: [...t.calls.buckets],
    },
    t.calls,
  );
  /** counter publishes `counts` (keys split on ' ' into `labelNames`) as they stand at each scrape. */
  const counter = (name: string, help: string, labelNames: string[], counts: Map<string, number>): void => {
    new Counter({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const [key, n] of counts) {
          const values = key.split(' ');
          this.inc(Object.fromEntries(labelNames.map((l, i) => [l, values[i] ?? ''])), n);
        }
      },
    });
  };
  counter('arith_requests_total', 'JSON-RPC messages received (a batch is one)', ['transport'], t.requests);
  const batch = {
    name: 'arith_batch_size',
    help: 'Calls per JSON-RPC batch',
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const values: MetricValue[] = [];
      t.batch.values('arith_batch_size', {}, values);
      return { name: batch.name, help: batch.help, type: batch.type, aggregator: batch.aggregator, values };
    },
    reset() {},
  };
  registry.registerMetric(batch as unknown as Metric);
  counter(
    'arith_rejected_requests_total',
    'Requests refused before any call ran',
    ['transport', 'reason'],
    t.rejects,
  );
  counter(
    'arith_registry_repairs_total',
    'Times the node put its registry key back after an outside change, by what the key held',
    ['reason'],
    t.repairs,
  );
  const gauge = (name: string, help: string, read: () => number): void =>
    collectedGauge(registers, name, help, read);
  gauge('arith_inflight_requests', 'Requests being answered now', () => sources.inflight());
  gauge(
    'arith_inflight_calls',
    'Calls admitted and not yet answered (bounded by --max-inflight)',
    () => sources.inflightCalls?.() ?? 0,
  );
  gauge(
    'arith_open_connections',
    'Open client connections over both ports (bounded by --max-connections)',
    () => sources.connections?.() ?? 0,
  );
  gauge(
    'arith_tcp_paused_connections',
    'TCP connections not being read now: --max-pipeline requests in flight or answers unread',
    () => sources.pausedConnections?.() ?? 0,
  );
  gauge('arith_registered', '1 while the node is registered in etcd under a live lease', () =>
    sources.registered() ? 1 : 0,
  );
  gauge('arith_reregistrations', 'Times the node re-registered after losing its lease or key', () =>
    sources.reregistrations(),
  );
  return registry;
}
