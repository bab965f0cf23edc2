import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '../logger.js';
import { CALL_DEADLINES_HEADER, DEADLINE_HEADER } from '../protocol/deadline.js';
import { pingReply } from '../protocol/ping.js';
import { REQUEST_ID_HEADER } from '../protocol/request-id.js';
import { errorResponse, RPC_ERRORS } from '../protocol/rpc-errors.js';
import { parseMessage } from '../protocol/wire.js';
import type { MessageHandler } from './admission.js';
import { callDeadlines } from './call-deadlines.js';
import { type ConnectionLimit, httpRefusal } from './connection-limit.js';
import type { CallContext } from './dispatcher.js';
import { httpServerTimeouts } from './http-timeouts.js';
import { INTERNAL_ERROR_TEXT, respond } from './respond.js';
import { acceptEvent, type NodeTlsOptions, serverTlsOptions } from './server-tls.js';
import type { TransportObserver } from './transport-observer.js';

/** HttpTransportOptions configure the HTTP JSON-RPC listener. */
export interface HttpTransportOptions {
  host: string;
  port: number;
  dispatcher: MessageHandler;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  /** idleTimeoutMs: close a socket that completes no request for this long (0: never); also bounds keep-alive. */
  idleTimeoutMs?: number;
  /** connections: the node-wide connection budget; a connection past it gets a 503 and is closed. */
  connections?: ConnectionLimit;
  /** probes answers `GET /healthz` (alive) and `GET /readyz` (serving and registered). */
  probes: { alive(): boolean; ready(): boolean };
  /** extraRoutes: GET handlers by path (e.g. `/metrics`), answered before 404. */
  extraRoutes?: Map<string, (res: http.ServerResponse) => void>;
  /** observer: told about every message and every refusal (metrics). */
  observer?: TransportObserver;
  /** logger: at debug level, one line per request with the client's `x-request-id`. */
  logger?: Logger;
  /** tls: serve HTTPS (and, with `clientCa`, require client certificates) instead of HTTP. */
  tls?: NodeTlsOptions | undefined;
}

/**
 * HttpTransport serves JSON-RPC 2.0 (and 1.0) on `POST /` with keep-alive, batches, a body limit
 * enforced while reading (413 without buffering the excess), and JSON-RPC errors for bad JSON.
 * A socket that completes no request within `idleTimeoutMs` is closed, slow senders are cut off by
 * Node's header and request timeouts (see http-timeouts.ts), and a connection past the node's
 * budget is answered 503 (a JSON-RPC OVERLOADED body) and closed at once. With `tls` it serves
 * HTTPS; limits and timers then start once the TLS handshake is done (see server-tls.ts).
 * Where JSON-RPC owes nothing (notifications) it answers 204; another method on `/` gets 405 with
 * `Allow: POST`, an unknown path 404, both with a JSON-RPC error body.
 */
export class HttpTransport {
  readonly #opts: HttpTransportOptions;
  readonly #server: http.Server;
  #inflight = 0;
  #draining = false;
  #idle: (() => void) | undefined;

  constructor(opts: HttpTransportOptions) {
    this.#opts = opts;
    const idleMs = opts.idleTimeoutMs ?? 0;
    const timeouts = httpServerTimeouts(idleMs, opts.requestTimeoutMs);
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void =>
      this.#onRequest(req, res);
    this.#server = opts.tls
      ? https.createServer({ ...timeouts, ...serverTlsOptions(opts.tls) }, onRequest)
      : http.createServer(timeouts, onRequest);
    this.#server.maxHeadersCount = 64;
    this.#server.on(acceptEvent(Boolean(opts.tls)), (socket: Socket) => {
      if (opts.connections && !opts.connections.admit(socket, httpRefusal)) {
        opts.observer?.onReject('max_connections');
      } else if (idleMs > 0) {
        // Node's own timeouts start with a request's first byte: a socket that never sends needs this.
        socket.setTimeout(idleMs);
      }
    });
  }

  /** listen binds the socket; resolves with the bound address once it accepts connections. */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port, this.#opts.host, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** inflight is the number of JSON-RPC requests being answered now. */
  get inflight(): number {
    return this.#inflight;
  }

  /**
   * close stops accepting, answers in-flight requests (each with `Connection: close`), waits up to
   * `drainMs` for them, then closes every connection.
   */
  async close(drainMs: number): Promise<void> {
    this.#draining = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (this.#inflight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainMs);
        this.#idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#server.closeAllConnections();
    await closed;
  }

  #onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    // A request arrived: the socket's idle timer gives way to Node's request and keep-alive timeouts.
    if (req.socket.timeout) req.socket.setTimeout(0);
    if (this.#draining) res.setHeader('connection', 'close');
    const path = (req.url ?? '/').split('?', 1)[0];
    const rpcPath = path === '/' || path === '/rpc';
    if (req.method === 'POST' && rpcPath) {
      this.#onRpc(req, res);
      return;
    }
    const route =
      path === '/healthz'
        ? () => this.#probe(res, this.#opts.probes.alive())
        : path === '/readyz'
          ? () => this.#probe(res, this.#opts.probes.ready())
          : path
            ? this.#opts.extraRoutes?.get(path)
            : undefined;
    if (route && (req.method === 'GET' || req.method === 'HEAD')) {
      route(res);
      return;
    }
    // Drain any body so the refusal is read by the client instead of reset with the connection.
    req.resume();
    if (rpcPath || route) {
      const allow = rpcPath ? 'POST' : 'GET, HEAD';
      refuse(res, 405, `Invalid request: ${req.method} ${path}: use ${allow}`, { allow });
      return;
    }
    refuse(res, 404, 'Invalid request: not found: POST / for JSON-RPC, GET /healthz, /readyz, /metrics');
  }

  #probe(res: http.ServerResponse, ok: boolean): void {
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(ok ? '{"status":"ok"}' : '{"status":"unavailable"}');
  }

  #onRpc(req: http.IncomingMessage, res: http.ServerResponse): void {
    const max = this.#opts.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) {
      this.#tooLarge(req, res);
      return;
    }
    this.#inflight++;
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > max) {
        refused = true;
        chunks.length = 0;
        this.#tooLarge(req, res);
        this.#done();
        return;
      }
      chunks.push(chunk);
    });
    // A client that aborts mid-body must not leave the in-flight count raised.
    const abandon = (): void => {
      if (refused) return;
      refused = true;
      this.#done();
    };
    req.on('error', abandon);
    req.on('close', () => {
      if (!req.complete) abandon();
    });
    req.on('end', () => {
      if (refused) return;
      refused = true;
      const text = Buffer.concat(chunks, size).toString('utf8');
      this.#answer(req, text)
        .catch(() => INTERNAL_ERROR_TEXT)
        .then((body) => {
          if (body === undefined) {
            res.writeHead(204).end();
          } else {
            res.writeHead(200, {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            });
            res.end(body);
          }
        })
        .catch(() => res.destroy())
        .finally(() => this.#done());
    });
  }

  /** #answer returns the response body for one request body (undefined when nothing is owed). */
  async #answer(req: http.IncomingMessage, text: string): Promise<string | undefined> {
    const observer = this.#opts.observer;
    const pong = pingReply(text); // answered here, outside the dispatcher (see ping.ts)
    if (pong !== undefined) return pong;
    const parsed = parseMessage(text);
    if (!parsed.ok) {
      observer?.onReject(parsed.reason);
      return JSON.stringify(parsed.response);
    }
    let ctx: CallContext;
    try {
      observer?.onMessage(Array.isArray(parsed.message) ? parsed.message.length : undefined);
      ctx = {
        ...this.#deadlines(req, parsed.message),
        requestId: header(req, REQUEST_ID_HEADER),
        onReject: observer && ((reason) => observer.onReject(reason)),
      };
    } catch {
      return INTERNAL_ERROR_TEXT; // as respond answers a failure of its own: -32603, not a dropped connection
    }
    const started = performance.now();
    const body = await respond(this.#opts.dispatcher, parsed.message, ctx);
    const log = this.#opts.logger;
    if (log?.isLevelEnabled('debug')) {
      const calls = Array.isArray(parsed.message) ? parsed.message.length : 1;
      log.debug(
        { requestId: ctx.requestId, calls, ms: +(performance.now() - started).toFixed(3) },
        'request',
      );
    }
    return body;
  }

  #deadlines(req: http.IncomingMessage, message: unknown): Pick<CallContext, 'deadline' | 'deadlineOf'> {
    const asked = header(req, DEADLINE_HEADER);
    return callDeadlines(message, asked, header(req, CALL_DEADLINES_HEADER), this.#opts.requestTimeoutMs);
  }

  /**
   * Refuse an oversized body without buffering it: discard the rest as it arrives and answer 413 once
   * it ends. (Node closes the connection after a response sent before the body was read, and a
   * close with unread data makes the kernel send a reset that loses the 413 on the client.) A body
   * past 16× the limit gets its 413 at once and the connection is dropped; the server's
   * requestTimeout bounds a client that trickles forever.
   */
  #tooLarge(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.#opts.observer?.onReject('body_too_large');
    const text = `Invalid request: body exceeds ${this.#opts.maxBodyBytes} bytes`;
    const body = JSON.stringify(errorResponse(null, RPC_ERRORS.INVALID_REQUEST, text));
    const send = (): void => {
      if (res.headersSent) return;
      res.writeHead(413, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const cap = 16 * this.#opts.maxBodyBytes;
    const giveUp = (): void => {
      send();
      res.once('finish', () => req.socket.destroy());
    };
    if (Number(req.headers['content-length'] ?? 0) > cap) {
      giveUp();
      return;
    }
    let discarded = 0;
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > cap) giveUp();
    });
    req.on('end', send);
    req.resume();
  }

  #done(): void {
    this.#inflight--;
    if (this.#inflight === 0 && this.#idle) this.#idle();
  }
}

/** refuse answers `status` with a JSON-RPC error body (id null, -32600) and any extra headers. */
function refuse(
  res: http.ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  const body = JSON.stringify(errorResponse(null, RPC_ERRORS.INVALID_REQUEST, message));
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
