import type { Registry } from 'prom-client';
import { BucketCounts } from './bucket-counts.js';
import { CallTally } from './call-tally.js';
import type { CallOutcome } from './dispatcher.js';
import { type MetricsSources, nodeRegistry } from './metrics-registry.js';

/**
 * RejectReason names the requests refused before any call runs: by the transport (`parse_error`,
 * `nesting_too_deep`, `body_too_large`, `frame_too_large`) or by the dispatcher (`batch_too_large`,
 * and `invalid_request` once per invalid request object, batch elements included).
 */
export type RejectReason =
  | 'parse_error'
  | 'nesting_too_deep'
  | 'body_too_large'
  | 'frame_too_large'
  | 'batch_too_large'
  | 'invalid_request'
  | 'max_connections'
  | 'overloaded'
  | 'shutting_down';

export type { MetricsSources } from './metrics-registry.js';

/**
 * NodeMetrics is a node's Prometheus metrics: calls by method and outcome, call latency, requests
 * by transport, batch sizes, refusals, in-flight requests, lease state, re-registrations and
 * registry key repairs, plus the default process metrics. Served at `GET /metrics`. The node
 * tallies its figures with plain arithmetic from the start; the prom-client registry (and
 * prom-client itself) is made on the first scrape and publishes every tally since the start. The
 * default metrics that sample over time (GC durations, event-loop lag histograms) start then too.
 */
export class NodeMetrics {
  readonly #sources: MetricsSources;
  readonly #labels: Record<string, string>;
  readonly #tallies = {
    calls: new CallTally(
      'arith_call_duration_seconds',
      'Arith call execution time (including any artificial delay)',
      [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    ),
    requests: new Map<string, number>(),
    batch: new BucketCounts([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000]),
    rejects: new Map<string, number>(),
    repairs: new Map<string, number>(),
  };
  #registry: Registry | undefined;

  constructor(sources: MetricsSources, labels: Record<string, string> = {}) {
    this.#sources = sources;
    this.#labels = labels;
  }

  /** registry is the node's prom-client registry, made (loading prom-client) on first use. */
  get registry(): Registry {
    this.#registry ??= nodeRegistry(this.#sources, this.#labels, this.#tallies);
    return this.#registry;
  }

  /** onCall records one executed call (wire it to the dispatcher's `onCall`). */
  onCall(o: CallOutcome): void {
    this.#tallies.calls.record(o.method, o.outcome, o.ms / 1000);
  }

  /** onMessage records one JSON-RPC message; `batch` is its length when it is a batch. */
  onMessage(transport: 'http' | 'tcp', batch: number | undefined): void {
    bump(this.#tallies.requests, transport);
    if (batch !== undefined) this.#tallies.batch.observe(batch);
  }

  /** onReject records a request refused before any call ran. */
  onReject(transport: 'http' | 'tcp', reason: RejectReason): void {
    bump(this.#tallies.rejects, `${transport} ${reason}`);
  }

  /** onRepair records one repair of the node's registry key (`reason`: what the key held, see ClaimReason). */
  onRepair(reason: string): void {
    bump(this.#tallies.repairs, reason);
  }

  /** render returns the Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    const registry = this.registry;
    return { contentType: registry.contentType, body: await registry.metrics() };
  }
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
