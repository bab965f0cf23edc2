import { Pool } from 'undici';
import { CALL_DEADLINES_HEADER, DEADLINE_HEADER, remainingMs } from '../../protocol/deadline.js';
import { isPong, pingRequest } from '../../protocol/ping.js';
import { REQUEST_ID_HEADER, requestIds } from '../../protocol/request-id.js';
import { RPC_ERRORS } from '../../protocol/rpc-errors.js';
import { RemoteError, TransportError } from '../errors.js';
import type { BatchRequest, Channel } from './channel.js';
import { connectTlsOptions, type NodeTlsClientOptions } from './node-tls.js';
import { transportError } from './transport-error.js';
import { failFastConnector } from './undici-connector.js';

/** nextRequestId numbers this process's HTTP requests, so a node's logs can be matched to a client. */
const nextRequestId = requestIds();

/** MAX_CALL_DEADLINES_HEADER: longest per-call deadline list sent, well inside a node's 16 KiB of headers. */
const MAX_CALL_DEADLINES_HEADER = 8 * 1024;

/** HttpChannelOptions: the node's HTTP URL and its keep-alive pool. */
export interface HttpChannelOptions {
  nodeId: string;
  url: string;
  /** connections: keep-alive sockets, i.e. batches in flight (HTTP/1.1 without pipelining). */
  connections: number;
  connectTimeoutMs: number;
  /** tls: CA, client certificate and server name for an `https://` URL. */
  tls?: NodeTlsClientOptions | undefined;
}

/**
 * HttpChannel posts each batch as one HTTP request over a keep-alive undici Pool of its own (not
 * the global agent), with the deadline in `x-arith-deadline-ms` (and each call's own in
 * `x-arith-call-deadlines-ms` when a batch's differ) and a request id for the node's logs.
 * A lone cancellable call aborts its own request when cancelled, which frees the connection.
 * An `https://` URL connects with the `tls` settings (see node-tls.ts).
 */
export class HttpChannel implements Channel {
  readonly #opts: HttpChannelOptions;
  readonly #pool: Pool;
  /** #latestDeadlineAt: the latest deadline of any request sent; close waits no longer than it. */
  #latestDeadlineAt = 0;

  constructor(opts: HttpChannelOptions) {
    this.#opts = opts;
    this.#pool = new Pool(opts.url, {
      connections: opts.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: failFastConnector({
        timeout: opts.connectTimeoutMs,
        ...(opts.url.startsWith('https:') ? connectTlsOptions(opts.tls) : {}),
      }),
    });
  }

  async exchange(batch: BatchRequest): Promise<unknown[]> {
    const { lone } = batch;
    const controller = lone?.cancellable ? new AbortController() : undefined;
    if (lone && controller) lone.onCancel = () => controller.abort();
    const now = Date.now();
    const waitMs = remainingMs(batch.deadlineAt, now);
    if (batch.deadlineAt > this.#latestDeadlineAt) this.#latestDeadlineAt = batch.deadlineAt;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [DEADLINE_HEADER]: String(waitMs),
      [REQUEST_ID_HEADER]: nextRequestId(),
    };
    const perCall = lone ? undefined : batch.callDeadlinesAt?.map((at) => remainingMs(at, now)).join(',');
    // Past the cap (a batch of well over 1,000 mixed deadlines) the node enforces the largest for all.
    if (perCall && perCall.length <= MAX_CALL_DEADLINES_HEADER) headers[CALL_DEADLINES_HEADER] = perCall;
    try {
      const res = await this.#pool.request({
        path: '/',
        method: 'POST',
        headers,
        body: lone ? batch.calls : `[${batch.calls}]`,
        headersTimeout: waitMs + 1_000,
        bodyTimeout: waitMs + 1_000,
        ...(controller ? { signal: controller.signal } : {}),
      });
      const text = await res.body.text();
      if (res.statusCode === 413) {
        throw new RemoteError(
          RPC_ERRORS.INVALID_REQUEST,
          'request body too large for the node',
          this.#opts.nodeId,
        );
      }
      if (res.statusCode !== 200)
        throw new TransportError(`HTTP ${res.statusCode}`, this.#opts.nodeId, 'server');
      const parsed = JSON.parse(text) as unknown;
      return Array.isArray(parsed) ? parsed : [parsed];
    } catch (error) {
      // A cancelled lone call (hedge or fan-out loser, a caller's abort) says nothing about the node.
      if (controller?.signal.aborted || error instanceof RemoteError) throw error;
      throw transportError(error, this.#opts.nodeId);
    } finally {
      if (lone) lone.onCancel = undefined;
    }
  }

  async ping(timeoutMs: number): Promise<void> {
    const id = `p${nextRequestId()}`;
    try {
      const res = await this.#pool.request({
        path: '/',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: pingRequest(id),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200 || !isPong(JSON.parse(text), id)) {
        throw new TransportError(`no pong (HTTP ${res.statusCode})`, this.#opts.nodeId, 'server');
      }
    } catch (error) {
      throw transportError(error, this.#opts.nodeId);
    }
  }

  /**
   * close lets the requests in flight finish (each is bounded by its deadline plus a second) and
   * then destroys the pool, so a request that undici never settles cannot keep close waiting.
   */
  async close(): Promise<void> {
    const graceMs = Math.max(0, this.#latestDeadlineAt - Date.now()) + 1_000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, graceMs, 'late')));
    const closed = this.#pool.close().then(() => 'closed' as const);
    closed.catch(() => undefined);
    if ((await Promise.race([closed, late])) === 'late') await this.#pool.destroy();
    clearTimeout(timer);
  }
}
