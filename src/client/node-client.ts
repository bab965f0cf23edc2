import { encodeCalls, routeReplies } from '../protocol/batch-codec.js';
import type { NodeInfo } from '../registry/types.js';
import type { PickTarget } from './balance/picker.js';
import { Batcher } from './batcher.js';
import { NodeTlsError } from './errors/tls-error.js';
import { errorFromRpc, TransportError } from './errors.js';
import { Ewma } from './ewma.js';
import { NodeHealth } from './node-health.js';
import { NodeProber } from './node-prober.js';
import type { CallRecord } from './pending-call.js';
import type { BatchRequest, Channel, TransportName } from './transport/channel.js';
import { HttpChannel } from './transport/http-channel.js';
import type { NodeTlsClientOptions } from './transport/node-tls.js';
import { TcpChannel } from './transport/tcp-channel.js';

/** NodeClientOptions tune one node's connection pool and batching. */
export interface NodeClientOptions {
  /** transport: pipelined TCP (batches in flight limited by `pipeline`) or HTTP (one per connection). */
  transport: TransportName;
  /** connections: sockets to the node (HTTP: also its batches in flight). */
  connections: number;
  /** pipeline: most batches in flight per TCP socket. */
  pipeline: number;
  /** maxBatch: most calls per JSON-RPC batch; 1 turns auto-batching off (default 128). */
  maxBatch: number;
  /** connectTimeoutMs: how long a connect may take before the node counts as timed out. */
  connectTimeoutMs: number;
  /** tls: settings for nodes that advertise TLS endpoints. */
  tls?: NodeTlsClientOptions | undefined;
}

/** NodeStats is one node's client-side view, for metrics and `arith nodes --watch`. */
export interface NodeStats {
  id: string;
  inflight: number;
  latencyMs: number;
  calls: number;
  failures: number;
  ejections: number;
  state: 'closed' | 'ejected' | 'half-open';
}

/**
 * NodeClient is the SDK's handle on one node: its channel (pipelined TCP sockets, or an undici
 * keep-alive pool for HTTP), auto-batching of concurrent calls into JSON-RPC batches, EWMA latency,
 * in-flight count and ejection state. It is the PickTarget balancers see. After an ejection it
 * probes the node itself (NodeProber: `rpc.ping` on its first channel) and takes user calls again
 * only once a probe answered: no caller waits on a probe.
 */
export class NodeClient implements PickTarget {
  readonly id: string;
  info: NodeInfo;
  inflight = 0;
  calls = 0;
  failures = 0;
  readonly #channels: Channel[];
  readonly #health = new NodeHealth();
  readonly #ewma = new Ewma();
  readonly #batcher: Batcher<CallRecord>;
  #nextId = 1;
  #nextChannel = 0;
  readonly #prober: NodeProber;

  constructor(info: NodeInfo, options: NodeClientOptions) {
    this.id = info.id;
    this.info = info;
    const { connections, connectTimeoutMs, tls } = options;
    const tcp = options.transport === 'tcp';
    this.#channels = tcp
      ? Array.from(
          { length: connections },
          () => new TcpChannel({ nodeId: info.id, address: info.endpoints.tcp, connectTimeoutMs, tls }),
        )
      : [new HttpChannel({ nodeId: info.id, url: info.endpoints.http, connections, connectTimeoutMs, tls })];
    this.#prober = new NodeProber(this.#health, (ms) => this.#channels[0]!.ping(ms));
    this.#batcher = new Batcher({
      maxBatch: options.maxBatch,
      maxConcurrent: tcp ? connections * options.pipeline : connections,
      send: (calls) => this.#send(calls),
    });
  }

  get weight(): number {
    return this.info.weight;
  }

  latencyMs(now: number): number {
    return this.#ewma.value(now);
  }

  /** recentLatencyMs is the EWMA latency as of the last answer (no idle decay); undefined before one. */
  recentLatencyMs(): number | undefined {
    return this.#ewma.recent();
  }

  available(now: number): boolean {
    return this.#health.available(now);
  }

  /** stats is a snapshot of this node's counters. */
  stats(): NodeStats {
    const now = performance.now();
    const { id, inflight, calls, failures } = this;
    const health = this.#health;
    return {
      id,
      inflight,
      calls,
      failures,
      latencyMs: this.latencyMs(now),
      ejections: health.ejections,
      state: health.state(now),
    };
  }

  /** submit queues a call for this node; it is sent in the current tick's batch. */
  submit(call: CallRecord): void {
    this.inflight++;
    this.calls++;
    this.#batcher.push(call);
  }

  /** submitAll queues calls that belong together (a `callMany`): they go out at once, batched. */
  submitAll(calls: readonly CallRecord[]): void {
    this.inflight += calls.length;
    this.calls += calls.length;
    this.#batcher.pushAll(calls);
  }

  /** onGaveUp records that a call waited past its attempt timeout here (a `reset`-like failure). */
  onGaveUp(): void {
    this.#prober.onFailure('reset');
  }

  /** close stops probing, lets in-flight batches finish, then closes the sockets. */
  async close(): Promise<void> {
    this.#prober.close();
    await Promise.all(this.#channels.map((c) => c.close()));
  }

  async #send(calls: CallRecord[]): Promise<void> {
    const live = calls.filter((c) => !c.settled);
    try {
      if (live.length > 0) await this.#exchange(live);
    } finally {
      this.inflight -= calls.length;
    }
  }

  async #exchange(all: CallRecord[]): Promise<void> {
    const firstId = this.#nextId;
    // A call whose params are not JSON fails alone, with its TypeError; the rest go out.
    const { text, sent } = encodeCalls(all, firstId, failCall);
    const live = sent;
    if (live.length === 0) return;
    this.#nextId += live.length;
    let deadlineAt = 0;
    let mixed = false;
    for (const c of live) {
      if (c.deadlineAt !== live[0]!.deadlineAt) mixed = true;
      if (c.deadlineAt > deadlineAt) deadlineAt = c.deadlineAt;
    }
    const batch: BatchRequest = {
      calls: text,
      count: live.length,
      firstId,
      deadlineAt,
      // One deadline per call only when they differ: the node then enforces each call's own.
      callDeadlinesAt: mixed ? live.map((c) => c.deadlineAt) : undefined,
      lone: live.length === 1 ? live[0] : undefined,
    };
    const channel = this.#channels[this.#nextChannel++ % this.#channels.length]!;
    const started = performance.now();
    let replies: unknown[];
    try {
      replies = await channel.exchange(batch);
    } catch (error) {
      if (error instanceof TransportError || error instanceof NodeTlsError) {
        this.failures++;
        // A certificate failure ejects at once, as a refusal: it repeats until someone fixes it.
        const kind = error instanceof NodeTlsError ? 'refused' : error.kind;
        this.#prober.onFailure(kind);
      }
      for (const c of live) c.fail(error);
      return;
    }
    const now = performance.now();
    this.#health.onSuccess();
    this.#ewma.observe(now - started, now);
    const answered = routeReplies(replies, firstId, live.length, (index, reply) => {
      const call = live[index]!;
      if (reply.error !== undefined) call.fail(errorFromRpc(reply.error, this.id, call.deadlineMs));
      else call.succeed(reply.result);
    });
    for (let i = 0; i < live.length; i++) {
      if (!answered[i])
        live[i]!.fail(new TransportError('no answer for a call in the batch', this.id, 'server'));
    }
  }
}

/** failCall fails a call that cannot be encoded (the batch codec's `onBad`). */
function failCall(call: CallRecord, error: TypeError): void {
  call.fail(error);
}
