import { Pool } from 'undici';
import type { NodeInfo } from '../registry/types.js';
import { Batcher } from './batcher.js';
import { NodeHealth } from './ejection.js';
import { errorFromRpc, RemoteError, TransportError, type TransportKind } from './errors.js';
import { Ewma } from './ewma.js';
import type { PendingCall } from './pending-call.js';
import type { PickTarget } from './picker.js';

const QUOTED = new Map<string, string>();

/** quoted returns a method name as a JSON string literal, cached (a client uses few methods). */
function quoted(method: string): string {
  let q = QUOTED.get(method);
  if (q === undefined) {
    q = JSON.stringify(method);
    if (QUOTED.size < 1024) QUOTED.set(method, q);
  }
  return q;
}

/** CLIENT_ID prefixes this process's request ids, so a node's logs can be matched to a client. */
const CLIENT_ID = `c${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** NodeClientOptions tune one node's connection pool and batching. */
export interface NodeClientOptions {
  /** connections: keep-alive sockets to the node (default 8). */
  connections: number;
  /** maxBatch: most calls per JSON-RPC batch; 1 turns auto-batching off (default 128). */
  maxBatch: number;
  /** connectTimeoutMs: how long a connect may take before the node counts as timed out. */
  connectTimeoutMs: number;
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
 * NodeClient is the SDK's handle on one node: its own keep-alive pool (undici, not the global agent),
 * auto-batching of concurrent calls into JSON-RPC batches, EWMA latency, in-flight count and
 * ejection state. It is the PickTarget balancers see.
 */
export class NodeClient implements PickTarget {
  readonly id: string;
  info: NodeInfo;
  inflight = 0;
  calls = 0;
  failures = 0;
  readonly #pool: Pool;
  readonly #health = new NodeHealth();
  readonly #ewma = new Ewma();
  readonly #batcher: Batcher<PendingCall>;
  #nextId = 1;
  #nextRequest = 1;

  constructor(info: NodeInfo, options: NodeClientOptions) {
    this.id = info.id;
    this.info = info;
    this.#pool = new Pool(info.endpoints.http, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.connectTimeoutMs },
    });
    this.#batcher = new Batcher({
      maxBatch: options.maxBatch,
      maxConcurrent: options.connections,
      send: (calls) => this.#send(calls),
    });
  }

  get weight(): number {
    return this.info.weight;
  }

  latencyMs(now: number): number {
    return this.#ewma.value(now);
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
  submit(call: PendingCall): void {
    this.inflight++;
    this.calls++;
    this.#batcher.push(call);
  }

  /** close lets in-flight requests finish, then closes the sockets. */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  async #send(calls: PendingCall[]): Promise<void> {
    const live = calls.filter((c) => !c.settled);
    const settleAll = (): void => {
      this.inflight -= calls.length;
    };
    if (live.length === 0) return settleAll();
    const single = live.length === 1 ? live[0] : undefined;
    // Ids are consecutive from `base`, so a reply finds its call by index (no Map on the hot path).
    const base = this.#nextId;
    this.#nextId += live.length;
    const byIndex: (PendingCall | undefined)[] = live.slice();
    let body = single ? '' : '[';
    let deadlineAt = 0;
    for (let i = 0; i < live.length; i++) {
      const c = live[i]!;
      if (i > 0) body += ',';
      body += `{"jsonrpc":"2.0","id":${base + i},"method":${quoted(c.method)},"params":${JSON.stringify(c.params)}}`;
      if (c.deadlineAt > deadlineAt) deadlineAt = c.deadlineAt;
    }
    if (!single) body += ']';
    // A lone call owns its request: cancelling it (hedge or fan-out loser, abort, deadline) frees the
    // connection slot instead of waiting for an answer nobody wants.
    const controller = single?.cancellable ? new AbortController() : undefined;
    if (single && controller) single.onCancel = () => controller.abort();
    const started = performance.now();
    try {
      const res = await this.#pool.request({
        path: '/',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-arith-deadline-ms': String(Math.max(1, deadlineAt - Date.now())),
          'x-request-id': `${CLIENT_ID}-${this.#nextRequest++}`,
        },
        body,
        headersTimeout: Math.max(1, deadlineAt - Date.now() + 1_000),
        bodyTimeout: Math.max(1, deadlineAt - Date.now() + 1_000),
        ...(controller ? { signal: controller.signal } : {}),
      });
      const text = await res.body.text();
      if (res.statusCode === 413) {
        for (const c of live) c.fail(new RemoteError(-32600, 'request body too large for the node', this.id));
        return;
      }
      if (res.statusCode !== 200) throw new TransportError(`HTTP ${res.statusCode}`, this.id, 'server');
      const parsed = JSON.parse(text) as unknown;
      const replies = Array.isArray(parsed) ? parsed : [parsed];
      this.#health.onSuccess();
      this.#ewma.observe(performance.now() - started, performance.now());
      let answered = 0;
      for (const reply of replies as { id?: unknown; result?: unknown; error?: unknown }[]) {
        const index = typeof reply?.id === 'number' ? reply.id - base : -1;
        const call = byIndex[index];
        if (!call) continue;
        byIndex[index] = undefined;
        answered++;
        if (reply.error !== undefined) call.fail(errorFromRpc(reply.error, this.id, call.deadlineMs));
        else call.succeed(reply.result);
      }
      if (answered < live.length) {
        for (const c of byIndex)
          c?.fail(new TransportError('no answer for a call in the batch', this.id, 'server'));
      }
    } catch (error) {
      // A cancelled attempt (a hedge or fan-out loser, a caller's abort) says nothing about the node.
      const failure = controller?.signal.aborted ? undefined : this.#classify(error);
      if (failure) {
        this.failures++;
        this.#health.onFailure(failure.kind, performance.now());
        for (const c of live) c.fail(failure);
      } else {
        for (const c of live) c.fail(error);
      }
    } finally {
      if (single) single.onCancel = undefined;
      settleAll();
    }
  }

  /** Map a transport exception to a TransportError (undefined: the caller aborted). */
  #classify(error: unknown): TransportError | undefined {
    if (error instanceof TransportError) return error;
    const e = error as { code?: string; name?: string; message?: string; cause?: { code?: string } };
    if (e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED') return undefined;
    const code = e.code ?? e.cause?.code ?? '';
    const kind: TransportKind =
      code === 'ECONNREFUSED'
        ? 'refused'
        : code === 'UND_ERR_CONNECT_TIMEOUT' ||
            code === 'UND_ERR_HEADERS_TIMEOUT' ||
            code === 'UND_ERR_BODY_TIMEOUT'
          ? 'timeout'
          : error instanceof SyntaxError
            ? 'server'
            : 'reset';
    return new TransportError(
      `${code || e.name || 'error'}: ${e.message ?? 'transport failure'}`,
      this.id,
      kind,
      {
        cause: error,
      },
    );
  }
}
