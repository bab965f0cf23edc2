import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CallTally } from './call-tally.js';
import { registerCallTally } from './call-tally-metrics.js';
import type { CallOutcome } from './dispatcher.js';

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

/**
 * NodeMetrics is a node's Prometheus registry (prom-client): calls by method and outcome, call
 * latency, requests by transport, batch sizes, refusals, in-flight requests, lease state,
 * re-registrations and registry key repairs, plus the default process metrics. Served at `GET /metrics`.
 */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly #tally: CallTally;
  readonly #requests: Counter<'transport'>;
  readonly #batch: Histogram;
  readonly #rejects: Counter<'transport' | 'reason'>;
  readonly #repairs: Counter<'reason'>;

  constructor(sources: MetricsSources, labels: Record<string, string> = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(labels);
    // Event-loop lag sampled every 100 ms, not prom-client's 10 ms: the 100 Hz timer alone doubled an
    // idle node's CPU (1.6% → 0.8% of a core), and 100 ms still catches every stall worth alerting on.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    // Per-call figures are tallied without prom-client on the hot path and read when scraped.
    this.#tally = registerCallTally(this.registry, {
      counter: 'arith_calls_total',
      counterHelp: 'Arith calls executed, by method and outcome',
      histogram: 'arith_call_duration_seconds',
      histogramHelp: 'Arith call execution time (including any artificial delay)',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    });
    this.#requests = new Counter({
      name: 'arith_requests_total',
      help: 'JSON-RPC messages received (a batch is one)',
      labelNames: ['transport'],
      registers,
    });
    this.#batch = new Histogram({
      name: 'arith_batch_size',
      help: 'Calls per JSON-RPC batch',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000],
      registers,
    });
    this.#rejects = new Counter({
      name: 'arith_rejected_requests_total',
      help: 'Requests refused before any call ran',
      labelNames: ['transport', 'reason'],
      registers,
    });
    this.#repairs = new Counter({
      name: 'arith_registry_repairs_total',
      help: 'Times the node put its registry key back after an outside change, by what the key held',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'arith_inflight_requests',
      help: 'Requests being answered now',
      registers,
      collect() {
        this.set(sources.inflight());
      },
    });
    new Gauge({
      name: 'arith_inflight_calls',
      help: 'Calls admitted and not yet answered (bounded by --max-inflight)',
      registers,
      collect() {
        this.set(sources.inflightCalls?.() ?? 0);
      },
    });
    new Gauge({
      name: 'arith_open_connections',
      help: 'Open client connections over both ports (bounded by --max-connections)',
      registers,
      collect() {
        this.set(sources.connections?.() ?? 0);
      },
    });
    new Gauge({
      name: 'arith_tcp_paused_connections',
      help: 'TCP connections not being read now: --max-pipeline requests in flight or answers unread',
      registers,
      collect() {
        this.set(sources.pausedConnections?.() ?? 0);
      },
    });
    new Gauge({
      name: 'arith_registered',
      help: '1 while the node is registered in etcd under a live lease',
      registers,
      collect() {
        this.set(sources.registered() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'arith_reregistrations',
      help: 'Times the node re-registered after losing its lease or key',
      registers,
      collect() {
        this.set(sources.reregistrations());
      },
    });
  }

  /** onCall records one executed call (wire it to the dispatcher's `onCall`). */
  onCall(o: CallOutcome): void {
    this.#tally.record(o.method, o.outcome, o.ms / 1000);
  }

  /** onMessage records one JSON-RPC message; `batch` is its length when it is a batch. */
  onMessage(transport: 'http' | 'tcp', batch: number | undefined): void {
    this.#requests.inc({ transport });
    if (batch !== undefined) this.#batch.observe(batch);
  }

  /** onReject records a request refused before any call ran. */
  onReject(transport: 'http' | 'tcp', reason: RejectReason): void {
    this.#rejects.inc({ transport, reason });
  }

  /** onRepair records one repair of the node's registry key (`reason`: what the key held, see ClaimReason). */
  onRepair(reason: string): void {
    this.#repairs.inc({ reason });
  }

  /** render returns the Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
