import type { Logger } from '../logger.js';
import type { EtcdOptions } from '../registry/etcd-client.js';
import type { BalancerName, PickerBuilder } from './balance/picker.js';
import { Limiter } from './limiter.js';
import type { TransportName } from './transport/channel.js';
import type { NodeTlsClientOptions } from './transport/node-tls.js';

/** ConnectOptions configure a cluster client. Everything but `etcd` has a default. */
export interface ConnectOptions {
  /** etcd: endpoints (`['127.0.0.1:2379']`) or full EtcdOptions (TLS, auth, deadlines). */
  etcd: string[] | EtcdOptions;
  /**
   * resultsEtcd: a second etcd for results and the job queue (default: `etcd`), so that data never
   * fills the registry's etcd.
   */
  resultsEtcd?: string[] | EtcdOptions;
  /** etcdQuotaBytes: the results etcd's `--quota-backend-bytes` (default 2 GiB; etcd cannot be asked). */
  etcdQuotaBytes?: number;
  /** spaceThreshold: submissions are refused above this share of the quota (default 0.8). */
  spaceThreshold?: number;
  /** namespace: the key namespace nodes register under (default `arith`). */
  namespace?: string;
  /** balancer: strategy name or a custom PickerBuilder (default `p2c`). */
  balancer?: BalancerName | PickerBuilder;
  /** batching: auto-batch concurrent calls per node (default true; `{ maxBatch }` to size batches). */
  batching?: boolean | { maxBatch?: number };
  /**
   * transport: `tcp` (default) sends batches as lines over pipelined sockets to each node's TCP
   * listener; `http` posts them to its HTTP listener (one batch per request per connection).
   */
  transport?: TransportName;
  /**
   * connectionsPerNode: sockets per node. TCP: pipelined, default 1. HTTP: keep-alive connections,
   * also its batches in flight, default 2 (fewer, larger batches).
   */
  connectionsPerNode?: number;
  /** maxInflight: most calls outstanding at once; more wait their turn (default 8,192). */
  maxInflight?: number;
  /**
   * maxQueued: most calls waiting for a `maxInflight` slot (default 100,000; `Infinity` for no
   * bound, 0 to never wait). Past it a call fails at once with OverloadedError (`nodeId`
   * undefined, not retryable). A waiting call leaves the queue when its signal aborts or its
   * deadline (counted from the call, not from the slot) passes.
   */
  maxQueued?: number;
  /** deadlineMs: default whole-call deadline (default 10,000). */
  deadlineMs?: number;
  /** attempts: most nodes a `call` tries on transport errors (default 3). */
  attempts?: number;
  /**
   * attemptTimeoutMs: how long one attempt of a `call` or `callMany` waits on a node before it is
   * given up there and retried on another node (within the deadline, `attempts` and the retry
   * budget; the original may still answer and is ignored). Default adaptive: 4 × the node's
   * peak-EWMA latency, at least 250 ms, at most 2 s. 0 turns it off. Safe because Arith calls are
   * idempotent (pure): running one twice has the effect of running it once.
   */
  attemptTimeoutMs?: number;
  /** hedgeMs: default hedging delay for `call`; off unless set. */
  hedgeMs?: number;
  /** retryBudget: Finagle-style budget (default 20% of calls + 10/s). */
  retryBudget?: { ratio?: number; minPerSecond?: number };
  /** connectTimeoutMs: how long `connect()` waits for the first etcd read (default 10,000). */
  connectTimeoutMs?: number;
  /**
   * tls: TLS for node connections (etcd's own TLS is in `etcd`): `ca` to verify the nodes'
   * certificates, `cert` + `key` for nodes that require a client certificate, `servername` to
   * verify against (default: each node's advertised host). PEM strings or buffers. Applies to
   * nodes advertising `tls://` / `https://`; a certificate failure is a NodeTlsError.
   */
  tls?: NodeTlsClientOptions;
  /**
   * excludeNodes: node ids this client never calls, though they are live (a node's own client of
   * its peers, for queued quorum jobs, leaves the node itself out). Default none.
   */
  excludeNodes?: readonly string[];
  /** signal: aborts `connect()` itself. */
  signal?: AbortSignal;
  logger?: Logger;
}

/** resolveEtcd turns the `etcd` option into EtcdOptions. */
export function resolveEtcd(etcd: ConnectOptions['etcd']): EtcdOptions {
  return Array.isArray(etcd) ? { endpoints: etcd } : etcd;
}

/** limiterFor builds the `maxInflight` / `maxQueued` limiter; throws a RangeError on bad bounds. */
export function limiterFor(options: Pick<ConnectOptions, 'maxInflight' | 'maxQueued'>): Limiter {
  return new Limiter(options.maxInflight ?? 8192, options.maxQueued ?? 100_000);
}
