import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Etcd3 } from 'etcd3';
import { type Logger, silentLogger } from '../logger.js';
import { Discovery } from '../registry/discovery.js';
import { createEtcdClient } from '../registry/etcd-client.js';
import type { DiscoveryState, DiscoveryStatus, NodeChange, NodeInfo, NodeSource } from '../registry/types.js';
import { type BulkOp, type BulkSummary, type MapOptions, runBulkJob } from '../results/bulk-job.js';
import type { QueueJob } from '../results/queue/job-handle.js';
import { QueueJobs } from '../results/queue/queue-jobs.js';
import { refuseIfFull } from '../results/queue/space.js';
import type { SubmitOptions } from '../results/queue/submit.js';
import { ResultsStore } from '../results/results-store.js';
import { RetryBudget } from '../util/retry-budget.js';
import { checkAttemptTimeout } from './attempt-timeout.js';
import { pickerBuilder } from './balance/balancers.js';
import { type CallDeadline, callDeadline } from './call-deadline.js';
import { callMany, type ManyCall, type ManyResult } from './call-many.js';
import { type CallOptions, callOne } from './call-one.js';
import type { CallRuntime, ClientCounters } from './call-runtime.js';
import { type ConnectOptions, limiterFor, resolveEtcd } from './connect-options.js';
import {
  ClusterClosedError,
  ClusterError,
  DeadlineExceededError,
  NoNodesError,
  QuorumError,
} from './errors.js';
import { encodeParams } from './exact.js';
import { callAll, callAny, callQuorum, type Receipt } from './fanout.js';
import type { Limiter } from './limiter.js';
import { Membership } from './membership.js';
import type { NodeStats } from './node-client.js';
import { OneCall } from './one-call.js';
import { type HeldCallRunner, QueuedCall } from './queued-call.js';
import { TypedCalls } from './typed-calls.js';

/** ClusterEvents: what a Cluster emits. */
export interface ClusterEvents {
  /** nodes: a node was added, updated or removed. */
  nodes: [NodeChange];
  /** status: the etcd state changed: `connected`, `disconnected` (nodes kept, stale since), `relisted`. */
  status: [DiscoveryStatus];
}

/** NO_OPTIONS is `call`'s options when none are given: shared, so a call does not allocate them. */
const NO_OPTIONS: CallOptions = Object.freeze({});

/** ClusterStats: the client's counters, etcd freshness and per-node figures. */
export interface ClusterStats extends ClientCounters {
  inflight: number;
  waiting: number;
  etcdConnected: boolean;
  stalenessMs: number;
  nodes: NodeStats[];
}

/**
 * Cluster is a connected client: it discovers live nodes from etcd and calls them one at a time
 * (`call`, balanced with failover), all at once (`all`), first answer wins (`any`) or by agreement
 * (`quorum`), plus typed helpers (`multiply(7n, 8n)`). Emits `nodes` on membership changes and
 * `status` when its etcd state changes (see `status()`).
 */
export class Cluster extends TypedCalls {
  /** @internal the etcd client (results store, tests, bench); not part of the public API. */
  readonly etcd: Etcd3;
  /** resultsEtcd: the etcd client of results and the job queue (`etcd` unless `resultsEtcd` was given). */
  readonly resultsEtcd: Etcd3;
  readonly namespace: string;
  readonly logger: Logger;
  readonly #discovery: NodeSource;
  readonly #membership: Membership;
  readonly #limiter: Limiter;
  readonly #rt: CallRuntime;
  readonly #events = new EventEmitter<ClusterEvents>();
  #results: ResultsStore | undefined;
  #jobs: QueueJobs | undefined;
  readonly #space: { quotaBytes?: number | undefined; threshold?: number | undefined };
  #closed = false;

  /** @internal use `connect()`. */
  constructor(
    etcd: Etcd3,
    discovery: NodeSource,
    membership: Membership,
    options: ConnectOptions,
    limiter = limiterFor(options),
    resultsEtcd = etcd,
  ) {
    super();
    this.etcd = etcd;
    this.resultsEtcd = resultsEtcd;
    this.#space = { quotaBytes: options.etcdQuotaBytes, threshold: options.spaceThreshold };
    this.namespace = options.namespace ?? 'arith';
    this.logger = options.logger ?? silentLogger();
    this.#discovery = discovery;
    this.#membership = membership;
    this.#limiter = limiter;
    this.#rt = {
      membership,
      budget: new RetryBudget(options.retryBudget),
      defaults: {
        deadlineMs: options.deadlineMs ?? 10_000,
        attempts: options.attempts ?? 3,
        hedgeMs: options.hedgeMs,
        attemptTimeoutMs: options.attemptTimeoutMs,
      },
      stats: { calls: 0, failures: 0, retries: 0, hedges: 0, fanouts: 0, attemptTimeouts: 0 },
    };
    membership.on('nodes', (change) => this.#events.emit('nodes', change));
    discovery.on('status', (status) => this.#events.emit('status', status));
  }

  /**
   * on subscribes to `nodes` events (added / removed / updated) or `status` events, keyed on `type`:
   * `connected` (watching etcd, node list current), `disconnected` (etcd unreachable: the last-known
   * nodes are kept, stale since `staleSince`), `relisted` (a full listing was applied: reconnect, compaction).
   */
  on<E extends keyof ClusterEvents>(event: E, listener: (...args: ClusterEvents[E]) => void): this {
    this.#events.on(event, listener as never);
    return this;
  }

  /** off unsubscribes a listener added with `on`. */
  off<E extends keyof ClusterEvents>(event: E, listener: (...args: ClusterEvents[E]) => void): this {
    this.#events.off(event, listener as never);
    return this;
  }

  /** nodes lists the live nodes now, sorted by id. */
  nodes(): NodeInfo[] {
    return this.#membership.nodes();
  }

  /** ready resolves once at least `nodes` live nodes are known (default 1). */
  ready(options: { nodes?: number; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    const want = options.nodes ?? 1;
    if (this.#membership.size >= want) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => done(new DeadlineExceededError(options.timeoutMs!)), options.timeoutMs);
      const check = (): void => {
        if (this.#membership.size >= want) done();
      };
      const onAbort = (): void => done(options.signal?.reason);
      const done = (error?: unknown): void => {
        clearTimeout(timer);
        this.#events.off('nodes', check);
        options.signal?.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#events.on('nodes', check);
    });
  }

  /** call runs `method` on one node (balanced; transport failures retried elsewhere) and returns its result. */
  call(method: string, params: unknown, options: CallOptions = NO_OPTIONS): Promise<unknown> {
    if (this.#closed) return Promise.reject(new ClusterClosedError());
    const ms = options.deadlineMs ?? this.#rt.defaults.deadlineMs;
    const at = Date.now() + ms;
    if (this.#limiter.tryAcquire()) {
      return new Promise((resolve, reject) =>
        this.#startHeld(method, params, options, ms, at, resolve, reject),
      );
    }
    const run = this.#runHeldCall;
    return new Promise((resolve, reject) => {
      this.#limiter.enqueue(new QueuedCall(run, method, params, options, ms, at, resolve, reject), ms);
    });
  }

  /** callWithNode is `call` that also says which node answered (results record it). */
  async callWithNode(
    method: string,
    params: unknown,
    options: CallOptions = {},
  ): Promise<{ result: unknown; nodeId: string }> {
    let nodeId = '';
    const result = await this.#limited(options, (d) =>
      callOne(this.#rt, method, encodeParams(params), options, d, (id) => {
        nodeId = id;
      }),
    );
    return { result, nodeId };
  }

  /**
   * callMany sends `calls` together to one balanced node (one JSON-RPC batch when they fit) under
   * one deadline; calls that fail with a retryable error go together to another node. Resolves with
   * one outcome per call, in order (`{ ok, result, nodeId }` or `{ ok: false, error, nodeId }`), and
   * never rejects for a call's failure. The group takes one slot of `maxInflight`.
   */
  callMany(calls: readonly ManyCall[], options: CallOptions = {}): Promise<ManyResult[]> {
    return this.#limited(options, async (d) => {
      // Inside #limited, so params it refuses (TypeError) reject the promise rather than throw.
      const encoded = calls.map(({ method, params }) => ({ method, params: encodeParams(params) }));
      return callMany(this.#rt, encoded, options, d);
    });
  }

  /** all calls every live node at once and returns one receipt per node (never rejects for a node's failure). */
  all(method: string, params: unknown, options: CallOptions = {}): Promise<Receipt[]> {
    return this.#limited(options, (d) => callAll(this.#rt, method, encodeParams(params), options, d));
  }

  /** any calls every live node and returns the first success; the other requests are aborted. */
  any(method: string, params: unknown, options: CallOptions = {}): Promise<unknown> {
    return this.#limited(options, (d) => callAny(this.#rt, method, encodeParams(params), options, d));
  }

  /** quorum returns the result once `k` nodes answered identically, else rejects with QuorumError. */
  quorum(method: string, params: unknown, options: CallOptions & { k: number }): Promise<unknown> {
    return this.#limited(options, (d) => callQuorum(this.#rt, method, encodeParams(params), options, d));
  }

  /** results is the exactly-once results store of this namespace (`/<namespace>/results/<key>`). */
  get results(): ResultsStore {
    const { resultsEtcd: etcd, namespace, logger } = this;
    this.#results ??= new ResultsStore({ etcd, namespace, logger, caller: this });
    return this.#results;
  }

  /**
   * jobs is the durable job queue of this namespace: `submit` ops for the nodes to work (the
   * submitter may exit at once), `list` jobs, `get` a handle on one (status, progress, done, cancel).
   */
  get jobs(): QueueJobs {
    const { resultsEtcd: etcd, namespace, logger } = this;
    this.#jobs ??= new QueueJobs({ etcd, namespace, logger, space: this.#space });
    return this.#jobs;
  }

  /** submit is `jobs.submit`: queue `ops` as a job and resolve with its handle once every op is durable. */
  submit(ops: Iterable<BulkOp> | AsyncIterable<BulkOp>, options: SubmitOptions = {}): Promise<QueueJob> {
    return this.jobs.submit(ops, options);
  }

  /**
   * map runs a bulk job: every op computed through the cluster and stored exactly once (resumable
   * by rerunning with the same `jobId`); resolves with a summary. See MapOptions.
   * @throws QueueError `SPACE_LOW` or `NOSPACE` before it starts when the results' etcd is near or
   * at its quota (`etcdQuotaBytes`, `spaceThreshold`), naming the DB size, the quota and what to do.
   */
  async map(ops: Iterable<BulkOp> | AsyncIterable<BulkOp>, options: MapOptions = {}): Promise<BulkSummary> {
    await refuseIfFull(this.resultsEtcd, this.#space);
    return runBulkJob(this, this.results, ops, options);
  }

  /** status returns a snapshot of the etcd state: connected, stale since when, revision, relists. */
  status(): DiscoveryState {
    return this.#discovery.status();
  }

  /** stats returns the client's counters, etcd freshness and per-node figures. */
  stats(): ClusterStats {
    const etcd = this.#discovery.status();
    return {
      ...this.#rt.stats,
      inflight: this.#limiter.active,
      waiting: this.#limiter.waiting,
      etcdConnected: etcd.connected,
      stalenessMs: etcd.stalenessMs,
      nodes: this.#membership.clients().map((c) => c.stats()),
    };
  }

  /** close stops discovery, closes node connections and the etcd client. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#limiter.close(new ClusterClosedError());
    await this.#discovery.close();
    await this.#membership.close();
    await this.#results?.close();
    await this.#jobs?.close();
    this.etcd.close();
    if (this.resultsEtcd !== this.etcd) this.resultsEtcd.close();
  }

  /** Symbol.asyncDispose closes the cluster, for `await using cluster = await connect(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * #limited runs a call in a `maxInflight` slot. Its deadline starts now, so time spent queued
   * counts; a queued call leaves at once when its signal aborts or its deadline passes. A call that
   * found no live node (or too few for its quorum) fails after one turn of the event loop: it sent
   * nothing, so callers retrying it in a loop would otherwise spin in microtasks and starve the
   * event loop, and with it the discovery watch that brings nodes back (an etcd relist right after
   * a partition heals can find no node registered yet).
   */
  async #limited<T>(options: CallOptions, run: (deadline: CallDeadline) => Promise<T>): Promise<T> {
    if (this.#closed) throw new ClusterClosedError();
    const deadline = callDeadline(options.deadlineMs, this.#rt.defaults.deadlineMs);
    const wait = this.#limiter.acquire(options.signal, deadline);
    if (wait) await wait;
    try {
      return await run(deadline);
    } catch (error) {
      if (error instanceof NoNodesError || (error instanceof QuorumError && error.answers.length === 0))
        await nextTurn();
      throw error;
    } finally {
      this.#limiter.release();
    }
  }

  /** #runHeldCall is #startHeld bound once, for the calls that wait in the limiter's queue. */
  readonly #runHeldCall: HeldCallRunner = (method, params, options, ms, at, resolve, reject) =>
    this.#startHeld(method, params, options, ms, at, resolve, reject);

  /**
   * #startHeld starts `call` once it holds a `maxInflight` slot: a OneCall that frees the slot as it
   * settles (no async function, no promise but the caller's); hedged calls go through #runHeld.
   */
  #startHeld(
    method: string,
    params: unknown,
    options: CallOptions,
    ms: number,
    at: number,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
  ): void {
    const hedgeMs = options.hedgeMs ?? this.#rt.defaults.hedgeMs;
    if (hedgeMs !== undefined && hedgeMs > 0) {
      this.#runHeld(method, params, options, { ms, at }).then(resolve, reject);
      return;
    }
    let encoded: unknown;
    try {
      encoded = encodeParams(params);
    } catch (error) {
      this.#limiter.release();
      reject(error);
      return;
    }
    new OneCall(
      this.#rt,
      method,
      encoded,
      options,
      ms,
      at,
      resolve,
      reject,
      this.#limiter,
      undefined,
    ).begin();
  }

  /** #runHeld is `call` once it holds a `maxInflight` slot: #limited without a closure per call. */
  async #runHeld(
    method: string,
    params: unknown,
    options: CallOptions,
    deadline: CallDeadline,
  ): Promise<unknown> {
    try {
      return await callOne(this.#rt, method, encodeParams(params), options, deadline);
    } catch (error) {
      if (error instanceof NoNodesError) await nextTurn(); // see #limited
      throw error;
    } finally {
      this.#limiter.release();
    }
  }
}

/**
 * connect creates a cluster client: it reads the live nodes from etcd (list, then watch), and
 * resolves once that first read is done. Rejects if etcd cannot be read within `connectTimeoutMs`.
 */
export async function connect(options: ConnectOptions): Promise<Cluster> {
  const limiter = limiterFor(options); // bad bounds fail here, before anything is opened
  checkAttemptTimeout(options.attemptTimeoutMs);
  const etcdOptions = resolveEtcd(options.etcd);
  const etcd = createEtcdClient(etcdOptions);
  const logger = options.logger ?? silentLogger();
  const namespace = options.namespace ?? 'arith';
  const discovery = new Discovery({ client: etcd, namespace, logger });
  const batching = options.batching ?? true;
  const maxBatch = batching === false ? 1 : batching === true ? 128 : (batching.maxBatch ?? 128);
  const transport = options.transport ?? 'tcp';
  const membership = new Membership(
    pickerBuilder(options.balancer ?? 'p2c'),
    {
      transport,
      connections: options.connectionsPerNode ?? (transport === 'tcp' ? 1 : 2),
      pipeline: 32,
      maxBatch,
      connectTimeoutMs: 2_000,
      tls: options.tls,
    },
    options.excludeNodes,
  );
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  // A ref'd timer (AbortSignal.timeout is unref'd): discovery's retries and gRPC hold no ref, so
  // without it a process awaiting connect() to an unreachable etcd would just exit.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const signals = [timeout.signal, ...(options.signal ? [options.signal] : [])];
  try {
    await discovery.start(AbortSignal.any(signals));
  } catch (error) {
    clearTimeout(timer);
    await discovery.close().catch(() => undefined);
    etcd.close();
    if (options.signal?.aborted) throw error;
    const endpoints = etcdOptions.endpoints.join(', ');
    throw new ClusterError(
      `cannot read from etcd at ${endpoints} within ${timeoutMs} ms: is etcd running?`,
      true,
      {
        cause: error,
      },
    );
  }
  clearTimeout(timer);
  membership.attach(discovery);
  const resultsEtcd = options.resultsEtcd ? createEtcdClient(resolveEtcd(options.resultsEtcd)) : etcd;
  return new Cluster(etcd, discovery, membership, options, limiter, resultsEtcd);
}
