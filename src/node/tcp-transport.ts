import net from 'node:net';
import tls from 'node:tls';
import { takeDeadlineNote } from '../protocol/deadline.js';
import { FrameTooLargeError, LineSplitter } from '../protocol/line-splitter.js';
import { pingReply } from '../protocol/ping.js';
import { errorResponse, RPC_ERRORS } from '../protocol/rpc-errors.js';
import { parseMessage } from '../protocol/wire.js';
import type { MessageHandler } from './admission.js';
import { callDeadlines } from './call-deadlines.js';
import { type ConnectionLimit, tcpRefusal } from './connection-limit.js';
import type { CallContext } from './dispatcher.js';
import { IdleTimer } from './idle-timer.js';
import { INTERNAL_ERROR_TEXT, respond } from './respond.js';
import { acceptEvent, type NodeTlsOptions, serverTlsOptions } from './server-tls.js';
import type { TransportObserver } from './transport-observer.js';

/** TcpTransportOptions configure the newline-delimited JSON-RPC listener. */
export interface TcpTransportOptions {
  host: string;
  port: number;
  dispatcher: MessageHandler;
  maxFrameBytes: number;
  requestTimeoutMs: number;
  /** maxPipelined: requests answered at once per connection before reading pauses (backpressure). */
  maxPipelined?: number;
  /** idleTimeoutMs: close a connection with no request in flight for this long (0: never). */
  idleTimeoutMs?: number;
  /** connections: the node-wide connection budget; a connection past it is refused at once. */
  connections?: ConnectionLimit;
  /** observer: told about every message and every refusal (metrics). */
  observer?: TransportObserver;
  /** tls: serve TLS (and, with `clientCa`, require client certificates) instead of plain TCP. */
  tls?: NodeTlsOptions | undefined;
}

/**
 * TcpTransport serves newline-delimited JSON-RPC 2.0 and 1.0 (Go's net/rpc/jsonrpc) on persistent
 * connections. Requests are pipelined and answered as they finish (matched by id); an over-size
 * frame gets one error line and closes that connection only. A batch may start with an
 * `rpc.deadline` notification (see deadline.ts) that shortens the request timeout for its calls.
 * A connection with nothing in flight for `idleTimeoutMs` is closed; one past the connection budget
 * gets one OVERLOADED (-32003) line and is closed at once. Reading pauses while `maxPipelined`
 * requests are in flight or the socket's unread answers pass its high-water mark. With `tls` the
 * same lines travel over TLS; limits and timers start once the handshake is done (server-tls.ts).
 */
export class TcpTransport {
  readonly #opts: TcpTransportOptions;
  readonly #server: net.Server;
  readonly #conns = new Set<Connection>();
  #draining = false;

  constructor(opts: TcpTransportOptions) {
    this.#opts = opts;
    this.#server = opts.tls
      ? tls.createServer({ noDelay: true, ...serverTlsOptions(opts.tls) })
      : net.createServer({ noDelay: true });
    this.#server.on(acceptEvent(Boolean(opts.tls)), (socket: net.Socket) => {
      if (opts.connections && !opts.connections.admit(socket, tcpRefusal)) {
        opts.observer?.onReject('max_connections');
        return;
      }
      const conn = new Connection(socket, opts, () => this.#conns.delete(conn));
      this.#conns.add(conn);
    });
  }

  /** listen binds the socket; resolves with the bound address once it accepts connections. */
  listen(): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port, this.#opts.host, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as net.AddressInfo);
      });
    });
  }

  /** pausedConnections is the number of connections the node is not reading now (backpressure). */
  get pausedConnections(): number {
    let n = 0;
    for (const c of this.#conns) if (c.paused) n++;
    return n;
  }

  /** inflight is the number of requests being answered now over all connections. */
  get inflight(): number {
    let n = 0;
    for (const c of this.#conns) n += c.inflight;
    return n;
  }

  /** close stops accepting and reading, answers in-flight requests (up to `drainMs`), then closes. */
  async close(drainMs: number): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await Promise.all([...this.#conns].map((c) => c.drain(drainMs)));
    await closed;
  }
}

/** LINES_PER_TURN: most lines one connection has handled per event-loop turn before others get theirs. */
const LINES_PER_TURN = 128;

class Connection {
  readonly #socket: net.Socket;
  readonly #opts: TcpTransportOptions;
  readonly #splitter: LineSplitter;
  readonly #maxPipelined: number;
  readonly #idleTimer: IdleTimer;
  #inflight = 0;
  #closed = false;
  #writePaused = false;
  /** corked: writes are being gathered until the next tick (see #write). */
  #corked = false;
  /** backlog: complete lines not yet handled, from `next` on (held while the pipeline is full). */
  #backlog: string[] = [];
  #next = 0;
  /** turnLines: lines handled in this event-loop turn; the rest wait for the next (see LINES_PER_TURN). */
  #turnLines = 0;
  #turnScheduled = false;
  #idle: (() => void) | undefined;

  constructor(socket: net.Socket, opts: TcpTransportOptions, onClose: () => void) {
    this.#socket = socket;
    this.#opts = opts;
    this.#splitter = new LineSplitter(opts.maxFrameBytes);
    this.#maxPipelined = opts.maxPipelined ?? 1024;
    this.#idleTimer = new IdleTimer(
      opts.idleTimeoutMs ?? 0,
      () => this.#inflight > 0,
      () => socket.destroy(),
    );
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#closed = true;
      this.#idleTimer.stop();
      this.#idle?.();
      onClose();
    });
  }

  get inflight(): number {
    return this.#inflight;
  }

  /** drain keeps reading (new calls are refused SHUTTING_DOWN), answers those in flight, then closes. */
  drain(drainMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.#socket.end();
        this.#socket.destroySoon();
        resolve();
      };
      const timer = setTimeout(finish, drainMs);
      if (this.#inflight === 0 || this.#closed) finish();
      else this.#idle = finish;
    });
  }

  #onData(chunk: Buffer): void {
    let lines: string[];
    try {
      lines = this.#splitter.push(chunk);
    } catch (error) {
      if (!(error instanceof FrameTooLargeError)) throw error;
      this.#opts.observer?.onReject('frame_too_large');
      const response = errorResponse(null, RPC_ERRORS.INVALID_REQUEST, `Invalid request: ${error.message}`);
      this.#socket.removeAllListeners('data');
      this.#socket.end(`${JSON.stringify(response)}\n`);
      // end() closes only our side; a half-open client could keep streaming into a discard.
      setTimeout(() => this.#socket.destroy(), 1_000).unref();
      return;
    }
    // rpc.ping is answered here, ahead of any line waiting in the backlog (see ping.ts).
    if (lines.some((l) => pingReply(l) !== undefined)) {
      lines = lines.filter((l) => {
        const pong = pingReply(l);
        if (pong !== undefined) this.#write(pong);
        return pong === undefined;
      });
    }
    if (this.#next === this.#backlog.length) {
      this.#backlog = lines;
      this.#next = 0;
    } else {
      for (const line of lines) this.#backlog.push(line);
    }
    this.#pump();
  }

  /**
   * Handle waiting lines while fewer than `maxPipelined` are in flight, answers are not backed up
   * and this event-loop turn's share is left (so one busy connection cannot starve the others);
   * read the socket only while no line waits (so at most one chunk's lines are ever held).
   */
  #pump(): void {
    const backlog = this.#backlog;
    if (this.#closed) backlog.length = 0;
    // One clock reading for the lines handled now: their deadlines count from when they were read,
    // so a pipelined burst shares one deadline (a gateway forwards it as one group, see
    // CallCoalescer) even when handling it takes longer than a millisecond.
    const readAt = this.#next < backlog.length ? Date.now() : 0;
    while (
      this.#next < backlog.length &&
      this.#inflight < this.#maxPipelined &&
      !this.#writePaused &&
      this.#turnLines < LINES_PER_TURN
    ) {
      this.#turnLines++;
      this.#handleLine(backlog[this.#next++]!, readAt);
    }
    if (this.#turnLines >= LINES_PER_TURN && !this.#turnScheduled) {
      this.#turnScheduled = true;
      setImmediate(() => {
        this.#turnScheduled = false;
        this.#turnLines = 0;
        this.#pump();
      });
    }
    if (this.#next < backlog.length || this.#inflight >= this.#maxPipelined || this.#writePaused) {
      this.#socket.pause();
    } else if (this.#socket.isPaused() && !this.#closed) {
      this.#socket.resume();
    }
  }

  /** paused is true while the node is not reading this connection (backpressure). */
  get paused(): boolean {
    return this.#socket.isPaused();
  }

  #handleLine(line: string, readAt: number): void {
    const observer = this.#opts.observer;
    const parsed = parseMessage(line);
    if (!parsed.ok) {
      observer?.onReject(parsed.reason);
      this.#write(JSON.stringify(parsed.response));
      return;
    }
    let answered: ReturnType<typeof respond>;
    try {
      const { message, askedMs, callMs } = takeDeadlineNote(parsed.message);
      observer?.onMessage(Array.isArray(message) ? message.length : undefined);
      const ctx: CallContext = {
        ...callDeadlines(message, askedMs, callMs, this.#opts.requestTimeoutMs, readAt),
        onReject: observer && ((reason) => observer.onReject(reason)),
      };
      answered = respond(this.#opts.dispatcher, message, ctx);
    } catch {
      // What runs before respond's own guard (the deadline note, an observer) must not throw out
      // of the socket's data handler, where it would end the process: the line is answered -32603.
      this.#answered(INTERNAL_ERROR_TEXT);
      return;
    }
    this.#inflight++;
    if (!(answered instanceof Promise)) {
      // Answered synchronously (the common case): write it now; the pump that called us goes on.
      this.#answered(answered);
      this.#settled();
      return;
    }
    // respond never rejects, and #answered never throws, so the count cannot leak.
    void answered.then((text) => {
      this.#answered(text);
      this.#settled();
      this.#pump();
    });
  }

  /** #answered writes a line's response text, if one is owed; a write that throws drops the connection. */
  #answered(text: string | undefined): void {
    try {
      if (text !== undefined) this.#write(text);
    } catch {
      this.#socket.destroy();
    }
  }

  /** #settled counts one line answered; the last one in flight lets the idle timer and a drain go on. */
  #settled(): void {
    this.#inflight--;
    if (this.#inflight > 0) return;
    this.#idleTimer.touch();
    this.#idle?.();
  }

  /**
   * Write one response line; a client that stops reading stops being read (no unbounded buffering).
   * Lines written in the same tick go out in one write (corked until the next tick): answers that
   * finish together (a gateway's batch from a node) cost one syscall, not one each.
   */
  #write(text: string): void {
    if (this.#closed || !this.#socket.writable) return;
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    if (!this.#socket.write(`${text}\n`) && !this.#writePaused) {
      this.#writePaused = true;
      this.#socket.pause();
      this.#socket.once('drain', () => {
        this.#writePaused = false;
        this.#pump();
      });
    }
  }
}
