import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import type { CallTally } from '../node/call-tally.js';
import { registerCallTally } from '../node/call-tally-metrics.js';
import type { CallOutcome } from '../node/dispatcher.js';
import type { RejectReason } from '../node/metrics.js';
import { collectedCounter, collectedGauge } from '../util/prom-client.js';

/** GatewayMetricsSources are read at each scrape. */
export interface GatewayMetricsSources {
  /** inflightCalls: calls being forwarded now. */
  inflightCalls(): number;
  /** nodes: live nodes the gateway knows. */
  nodes(): number;
  /** connections: open client connections over both ports. */
  connections(): number;
}

/**
 * GatewayMetrics is the gateway's own Prometheus registry (`GET /metrics`): calls forwarded by
 * method and outcome (`arith_gateway_calls_total`), their latency as the caller sees it, nodes
 * included (`arith_gateway_call_duration_seconds`), calls in flight, known nodes, connections,
 * messages and refusals by transport, and the process figures (CPU, memory, event-loop lag).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #tally: CallTally;
  /** #requests: messages received by transport, counted plainly (once per line) and read at scrape. */
  readonly #requests = { http: 0, tcp: 0 };
  readonly #rejects: Counter<'transport' | 'reason'>;

  constructor(sources: GatewayMetricsSources, labels: Record<string, string> = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    this.#tally = registerCallTally(this.registry, {
      counter: 'arith_gateway_calls_total',
      counterHelp: 'Calls forwarded to nodes, by method and outcome',
      histogram: 'arith_gateway_call_duration_seconds',
      histogramHelp: 'Forwarded call latency at the gateway, node and network included',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    });
    collectedCounter(
      registers,
      'arith_gateway_requests_total',
      'JSON-RPC messages received by the gateway (a batch is one)',
      'transport',
      () => this.#requests,
    );
    this.#rejects = new Counter({
      name: 'arith_gateway_rejected_requests_total',
      help: 'Requests the gateway refused before forwarding',
      labelNames: ['transport', 'reason'],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number): void =>
      collectedGauge(registers, name, help, read);
    gauge('arith_gateway_inflight_calls', 'Calls being forwarded now', sources.inflightCalls);
    gauge('arith_gateway_nodes', 'Live nodes the gateway knows from etcd', sources.nodes);
    gauge('arith_gateway_open_connections', 'Open client connections over both ports', sources.connections);
  }

  /** onCall records one forwarded call. */
  onCall(o: CallOutcome): void {
    this.#tally.record(o.method, o.outcome, o.ms / 1000);
  }

  /** onMessage records one JSON-RPC message received. */
  onMessage(transport: 'http' | 'tcp'): void {
    this.#requests[transport]++;
  }

  /** onReject records a request refused before forwarding. */
  onReject(transport: 'http' | 'tcp', reason: RejectReason): void {
    this.#rejects.inc({ transport, reason });
  }

  /** render returns the Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
