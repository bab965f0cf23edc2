import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { Etcd3 } from 'etcd3';
import { type ArithLimits, DEFAULT_ARITH_LIMITS } from '../arith/limits.js';
import { METHOD_NAMES } from '../arith/methods.js';
import { type Logger, silentLogger } from '../logger.js';
import { createEtcdClient, type EtcdOptions } from '../registry/etcd-client.js';
import { etcdIdentity } from '../registry/etcd-user.js';
import { nodeKey } from '../registry/keys.js';
import { Registration } from '../registry/registration.js';
import type { NodeInfo } from '../registry/types.js';
import { LazyQuorumPeers, type PeerTls } from '../results/queue/quorum-peers.js';
import { etcdDenial } from '../util/retry-etcd.js';
import { VERSION } from '../version.js';
import { Admission } from './admission.js';
import { ConnectionLimit } from './connection-limit.js';
import { type CallOutcome, Dispatcher } from './dispatcher.js';
import { HttpTransport } from './http-transport.js';
import { MemoryGuard } from './memory-guard.js';
import { NodeMetrics, type RejectReason } from './metrics.js';
import { serveMetrics } from './metrics-route.js';
import { QueueWorker } from './queue-worker.js';
import { workerDeniedMessage } from './queue-worker-denied.js';
import type { NodeTlsOptions } from './server-tls.js';
import type { ServingLimits } from './serving-limits.js';
import { TcpTransport } from './tcp-transport.js';

/** ArithNodeOptions configure one node process. Omitted values take the documented defaults. */
export interface ArithNodeOptions extends ServingLimits {
  nodeId: string;
  /** host: the address both listeners bind (default `127.0.0.1`). */
  host?: string;
  /** port: HTTP port (default 0, any free port). */
  port?: number;
  /** tcpPort: newline-delimited JSON-RPC port (default 0, any free port). */
  tcpPort?: number;
  /** advertiseHost: the host written into etcd for clients to dial (default: `host`). */
  advertiseHost?: string;
  /** etcd: where to register; omit for a standalone node that registers nowhere. */
  etcd?: EtcdOptions;
  /** resultsEtcd: where results and the job queue live, when not on `etcd` (the registry's). */
  resultsEtcd?: EtcdOptions;
  /** worker: work the job queue (default true when the node has etcd). */
  worker?: boolean;
  /** workerConcurrency: queue chunks worked at once (default 4). */
  workerConcurrency?: number;
  namespace?: string;
  ttlSeconds?: number;
  /** replace: take the node id over even while another live process holds its key (default false). */
  replace?: boolean;
  weight?: number;
  /** softMemoryMb: above this resident memory, run a full GC at most once a second (0: off; default 150). */
  softMemoryMb?: number;
  limits?: ArithLimits;
  /** delayMs: artificial latency per call (tests and benchmarks). */
  delayMs?: number;
  /** faultWrongAnswer: TEST ONLY, answers off by one. */
  faultWrongAnswer?: boolean;
  /**
   * tls: serve HTTPS and TLS on both ports (advertised as `https://` and `tls://`); with
   * `clientCa`, only clients with a certificate signed by it get past the handshake (mTLS).
   */
  tls?: NodeTlsOptions;
  /** peerTls: TLS as a client of the other nodes, which quorum chunks of the queue ask (CA, mTLS pair). */
  peerTls?: PeerTls;
  logger?: Logger;
  onCall?: (outcome: CallOutcome) => void;
}

/**
 * ArithNode is one cluster node: it listens on HTTP and TCP, then registers in etcd under a lease.
 * `close()` reverses it: revoke the lease (clients drop the node), stop accepting, drain in-flight
 * calls, close etcd. Logs `listening`, `registered`, `lease lost`, `re-registered`, `draining`, `closed`.
 */
export class ArithNode {
  readonly options: Required<
    Omit<ArithNodeOptions, 'etcd' | 'resultsEtcd' | 'logger' | 'onCall' | 'advertiseHost' | 'tls' | 'peerTls'>
  > &
    Pick<ArithNodeOptions, 'etcd' | 'resultsEtcd' | 'onCall' | 'tls' | 'peerTls'> & { advertiseHost: string };
  readonly logger: Logger;
  /** metrics is the node's Prometheus registry, served at `GET /metrics`. */
  readonly metrics: NodeMetrics;
  readonly #http: HttpTransport;
  readonly #tcp: TcpTransport;
  readonly #admission: Admission;
  readonly #memory: MemoryGuard;
  readonly #startedAt = new Date().toISOString();
  #etcd: Etcd3 | undefined;
  #resultsEtcd: Etcd3 | undefined;
  #worker: QueueWorker | undefined;
  #peers: LazyQuorumPeers | undefined;
  #registration: Registration | undefined;
  #httpAddress: AddressInfo | undefined;
  #tcpAddress: AddressInfo | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ArithNodeOptions) {
    const host = options.host ?? '127.0.0.1';
    this.options = {
      nodeId: options.nodeId,
      host,
      port: options.port ?? 0,
      tcpPort: options.tcpPort ?? 0,
      advertiseHost: options.advertiseHost ?? host,
      etcd: options.etcd,
      resultsEtcd: options.resultsEtcd,
      worker: options.worker ?? true,
      workerConcurrency: options.workerConcurrency ?? 4,
      namespace: options.namespace ?? 'arith',
      ttlSeconds: options.ttlSeconds ?? 10,
      replace: options.replace ?? false,
      weight: options.weight ?? 1,
      maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
      maxBatchLength: options.maxBatchLength ?? 1000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      maxConnections: options.maxConnections ?? 10_000,
      maxPipeline: options.maxPipeline ?? 1024,
      maxInflight: options.maxInflight ?? 10_000,
      softMemoryMb: options.softMemoryMb ?? 150,
      limits: options.limits ?? DEFAULT_ARITH_LIMITS,
      delayMs: options.delayMs ?? 0,
      faultWrongAnswer: options.faultWrongAnswer ?? false,
      onCall: options.onCall,
      tls: options.tls,
      peerTls: options.peerTls,
    };
    this.logger = options.logger ?? silentLogger();
    const o = this.options;
    const connections = new ConnectionLimit(o.maxConnections);
    this.metrics = new NodeMetrics(
      {
        inflight: () => this.#http.inflight + this.#tcp.inflight,
        inflightCalls: () => this.#admission.inflightCalls,
        connections: () => connections.open,
        pausedConnections: () => this.#tcp.pausedConnections,
        registered: () => this.#registration?.state === 'registered',
        reregistrations: () => this.#registration?.reregistrations ?? 0,
      },
      { node: o.nodeId },
    );
    const metrics = this.metrics;
    const userOnCall = o.onCall;
    const dispatcher = new Dispatcher({
      limits: o.limits,
      maxBatchLength: o.maxBatchLength,
      delayMs: o.delayMs,
      faultWrongAnswer: o.faultWrongAnswer,
      onCall: userOnCall
        ? (c) => {
            metrics.onCall(c);
            userOnCall(c);
          }
        : (c) => metrics.onCall(c),
    });
    this.#admission = new Admission(dispatcher, o.maxInflight);
    this.#memory = new MemoryGuard(o.softMemoryMb);
    const observer = (transport: 'http' | 'tcp') => ({
      onMessage: (batch: number | undefined) => metrics.onMessage(transport, batch),
      onReject: (reason: RejectReason) => metrics.onReject(transport, reason),
    });
    const admitted = (transport: 'http' | 'tcp') =>
      this.#admission.handlerFor((reason) => metrics.onReject(transport, reason));
    const extraRoutes = new Map([
      ['/metrics', (res: ServerResponse) => void serveMetrics(res, this.metrics)],
    ]);
    const probes = { alive: () => this.#closing === undefined, ready: () => this.ready };
    this.#http = new HttpTransport({
      host: o.host,
      port: o.port,
      dispatcher: admitted('http'),
      maxBodyBytes: o.maxBodyBytes,
      requestTimeoutMs: o.requestTimeoutMs,
      idleTimeoutMs: o.idleTimeoutMs,
      connections,
      probes,
      extraRoutes,
      observer: observer('http'),
      logger: this.logger,
      tls: o.tls,
    });
    this.#tcp = new TcpTransport({
      host: o.host,
      port: o.tcpPort,
      dispatcher: admitted('tcp'),
      maxFrameBytes: o.maxBodyBytes,
      requestTimeoutMs: o.requestTimeoutMs,
      maxPipelined: o.maxPipeline,
      idleTimeoutMs: o.idleTimeoutMs,
      connections,
      observer: observer('tcp'),
      tls: o.tls,
    });
  }

  /** ready is true while the node listens and (when it has etcd) is registered. */
  get ready(): boolean {
    if (!this.#httpAddress || this.#closing) return false;
    return this.#registration ? this.#registration.state === 'registered' : true;
  }

  /** registration exposes lease id, re-registration count and events, once started with etcd. */
  get registration(): Registration | undefined {
    return this.#registration;
  }

  /**
   * info is the NodeInfo this node publishes (valid after `start()`). With TLS the endpoints are
   * `https://host:port` and `tls://host:port` (see Endpoints for why the TCP marker is a prefix).
   */
  get info(): NodeInfo {
    const o = this.options;
    const advertise = o.advertiseHost.includes(':') ? `[${o.advertiseHost}]` : o.advertiseHost;
    return {
      v: 1,
      id: o.nodeId,
      endpoints: {
        http: `${o.tls ? 'https' : 'http'}://${advertise}:${this.#httpAddress?.port ?? o.port}`,
        tcp: `${o.tls ? 'tls://' : ''}${advertise}:${this.#tcpAddress?.port ?? o.tcpPort}`,
      },
      methods: [...METHOD_NAMES],
      weight: o.weight,
      version: VERSION,
      startedAt: this.#startedAt,
      pid: process.pid,
      hostname: os.hostname(),
    };
  }

  /**
   * start listens on HTTP and TCP, then registers; resolves when registered (or listening, standalone).
   * Rejects with NodeIdTakenError while another live process holds this node id's key.
   */
  async start(): Promise<void> {
    const o = this.options;
    [this.#httpAddress, this.#tcpAddress] = await Promise.all([this.#http.listen(), this.#tcp.listen()]);
    const { port: http } = this.#httpAddress;
    const tls = o.tls ? (o.tls.clientCa ? 'mutual' : 'server') : 'off';
    this.logger.info({ http, tcp: this.#tcpAddress.port, host: o.host, tls }, 'listening');
    this.#memory.start();
    if (!o.etcd) return;
    this.#etcd = createEtcdClient(o.etcd);
    this.#registration = new Registration({
      client: this.#etcd,
      key: nodeKey(o.namespace, o.nodeId),
      nodeId: o.nodeId,
      value: () => JSON.stringify(this.info),
      ttlSeconds: o.ttlSeconds,
      logger: this.logger,
      user: etcdIdentity(o.etcd)?.name,
      replace: o.replace,
    });
    this.#registration.on('repaired', ({ reason }) => this.metrics.onRepair(reason));
    await this.#registration.start();
    if (o.worker) this.#startWorker();
  }

  /** #startWorker starts the queue worker on the results etcd (the registry's unless `resultsEtcd`), in the background. */
  #startWorker(): void {
    const o = this.options;
    if (o.resultsEtcd) this.#resultsEtcd = createEtcdClient(o.resultsEtcd);
    const etcd = this.#resultsEtcd ?? this.#etcd;
    if (!etcd) return;
    const workerUser = etcdIdentity(o.resultsEtcd ?? o.etcd ?? {})?.name;
    // Quorum chunks ask the other nodes registered beside this one: an SDK client on the registry's
    // etcd, opened only when the first quorum chunk arrives.
    if (o.etcd)
      this.#peers = new LazyQuorumPeers({
        etcd: o.etcd,
        namespace: o.namespace,
        selfId: o.nodeId,
        logger: this.logger,
        tls: o.peerTls,
      });
    this.#worker = new QueueWorker({
      etcd,
      namespace: o.namespace,
      nodeId: o.nodeId,
      concurrency: o.workerConcurrency,
      ttlSeconds: o.ttlSeconds,
      limits: o.limits,
      logger: this.logger,
      user: workerUser,
      peers: this.#peers,
      faultWrongAnswer: o.faultWrongAnswer,
    });
    // The node serves without its worker: a worker that cannot start (say, etcd refuses its role
    // the queue prefix) is logged once and never takes the node's RPC service down with it.
    this.#worker.start().catch((error: unknown) => {
      const denial = etcdDenial(error);
      const what = 'queue worker not started: this node serves calls but works no queued jobs';
      this.logger.error(
        { err: (error as Error).message, ...(denial ? { user: workerUser } : {}) },
        denial ? workerDeniedMessage(denial, o.namespace, workerUser, what) : what,
      );
    });
  }

  /**
   * close revokes the lease, stops accepting, drains in-flight calls (calls arriving meanwhile on
   * open connections are answered SHUTTING_DOWN), closes etcd. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const o = this.options;
    // The worker finishes (or gives up) its chunks before the node's leases go.
    await this.#worker?.close(o.drainTimeoutMs);
    await this.#peers?.close();
    await this.#registration?.close();
    this.#admission.drain();
    const inflight = this.#http.inflight + this.#tcp.inflight;
    this.logger.info({ inflight, drainTimeoutMs: o.drainTimeoutMs }, 'draining');
    await Promise.all([this.#http.close(o.drainTimeoutMs), this.#tcp.close(o.drainTimeoutMs)]);
    this.#etcd?.close();
    this.#resultsEtcd?.close();
    this.#memory.stop();
    this.logger.info('closed');
  }

  /** Symbol.asyncDispose closes the node, for `await using node = ...`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
