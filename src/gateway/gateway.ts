import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cluster } from '../client/cluster.js';
import { type Logger, silentLogger } from '../logger.js';
import { Admission } from '../node/admission.js';
import { ConnectionLimit } from '../node/connection-limit.js';
import { HttpTransport } from '../node/http-transport.js';
import type { RejectReason } from '../node/metrics.js';
import { serveMetrics } from '../node/metrics-route.js';
import type { ServingLimits } from '../node/serving-limits.js';
import { TcpTransport } from '../node/tcp-transport.js';
import { ForwardHandler } from './forward-handler.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { serveSd } from './service-discovery.js';

/** GatewayOptions configure a gateway. Omitted limits take a node's defaults (maxInflight: calls forwarded at once). */
export interface GatewayOptions extends ServingLimits {
  /** cluster: the SDK client calls are forwarded through (the caller connects and closes it). */
  cluster: Cluster;
  /** host: the address both listeners bind (default `127.0.0.1`). */
  host?: string;
  /** port: HTTP port (default 0, any free port). */
  port?: number;
  /** tcpPort: newline-delimited JSON-RPC port (default 0, any free port). */
  tcpPort?: number;
  /** id: the `gateway` label on its metrics (default `gateway`). */
  id?: string;
  logger?: Logger;
}

/**
 * Gateway is one address for every client: HTTP JSON-RPC on `POST /` and newline-delimited
 * JSON-RPC 2.0 and 1.0 on TCP (Go's net/rpc/jsonrpc works unchanged), each call forwarded through
 * the SDK to the live nodes it discovers from etcd. It has a node's transports, limits and
 * hostile-input handling, and holds no state of its own: several may run side by side. Serves
 * `/healthz`, `/readyz` (ready while a node is known), `/metrics` and `/sd` (Prometheus
 * http_sd_config). Logs `gateway listening`, `draining`, `closed`.
 */
export class Gateway {
  /** metrics is the gateway's Prometheus registry, served at `GET /metrics`. */
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly #cluster: Cluster;
  readonly #http: HttpTransport;
  readonly #tcp: TcpTransport;
  readonly #admission: Admission;
  readonly #host: string;
  readonly #ports: { http: number; tcp: number };
  readonly #drainMs: number;
  #addresses: { http: AddressInfo; tcp: AddressInfo } | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: GatewayOptions) {
    const cluster = options.cluster;
    this.#cluster = cluster;
    this.#host = options.host ?? '127.0.0.1';
    this.#ports = { http: options.port ?? 0, tcp: options.tcpPort ?? 0 };
    this.#drainMs = options.drainTimeoutMs ?? 10_000;
    this.logger = options.logger ?? silentLogger();
    const connections = new ConnectionLimit(options.maxConnections ?? 10_000);
    const metrics = new GatewayMetrics(
      {
        inflightCalls: () => this.#admission.inflightCalls,
        nodes: () => cluster.nodes().length,
        connections: () => connections.open,
      },
      { gateway: options.id ?? 'gateway' },
    );
    this.metrics = metrics;
    const handler = new ForwardHandler(cluster, {
      maxBatchLength: options.maxBatchLength,
      onCall: (c) => metrics.onCall(c),
    });
    this.#admission = new Admission(handler, options.maxInflight ?? 10_000);
    const observer = (transport: 'http' | 'tcp') => ({
      onMessage: () => metrics.onMessage(transport),
      onReject: (reason: RejectReason) => metrics.onReject(transport, reason),
    });
    const admitted = (transport: 'http' | 'tcp') =>
      this.#admission.handlerFor((reason) => metrics.onReject(transport, reason));
    const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.#http = new HttpTransport({
      host: this.#host,
      port: this.#ports.http,
      dispatcher: admitted('http'),
      maxBodyBytes,
      requestTimeoutMs,
      idleTimeoutMs,
      connections,
      probes: { alive: () => this.#closing === undefined, ready: () => this.ready },
      extraRoutes: new Map([
        ['/metrics', (res: ServerResponse) => void serveMetrics(res, this.metrics)],
        ['/sd', (res: ServerResponse) => serveSd(res, cluster.nodes(), cluster.namespace)],
      ]),
      observer: observer('http'),
      logger: this.logger,
    });
    this.#tcp = new TcpTransport({
      host: this.#host,
      port: this.#ports.tcp,
      dispatcher: admitted('tcp'),
      maxFrameBytes: maxBodyBytes,
      requestTimeoutMs,
      maxPipelined: options.maxPipeline ?? 1024,
      idleTimeoutMs,
      connections,
      observer: observer('tcp'),
    });
  }

  /** ready is true while the gateway listens and knows at least one live node. */
  get ready(): boolean {
    return this.#addresses !== undefined && !this.#closing && this.#cluster.nodes().length > 0;
  }

  /** addresses are the bound HTTP and TCP addresses (after `start()`). */
  get addresses(): { http: AddressInfo; tcp: AddressInfo } {
    if (!this.#addresses) throw new Error('gateway not started: call start() first');
    return this.#addresses;
  }

  /**
   * start listens on HTTP and TCP; resolves once both accept connections. If either cannot listen
   * (e.g. EADDRINUSE) the other is closed at once, `close()` then has nothing left to drain (and
   * logs nothing), and the listen error is thrown.
   */
  async start(): Promise<void> {
    const listening = await Promise.allSettled([this.#http.listen(), this.#tcp.listen()]);
    const [http, tcp] = listening;
    if (http.status === 'rejected' || tcp.status === 'rejected') {
      this.#closing ??= Promise.all([this.#http.close(0), this.#tcp.close(0)]).then(() => undefined);
      await this.#closing;
      throw http.status === 'rejected' ? http.reason : (tcp as PromiseRejectedResult).reason;
    }
    this.#addresses = { http: http.value, tcp: tcp.value };
    this.logger.info({ host: this.#host, http: http.value.port, tcp: tcp.value.port }, 'gateway listening');
  }

  /** close stops accepting, answers calls in flight (new ones SHUTTING_DOWN), then closes. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#admission.drain();
    this.logger.info({ inflight: this.#admission.inflightCalls }, 'draining');
    await Promise.all([this.#http.close(this.#drainMs), this.#tcp.close(this.#drainMs)]);
    this.logger.info('closed');
  }

  /** Symbol.asyncDispose closes the gateway, for `await using gateway = ...`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
