import net from 'node:net';
import { deadlineAt, takeDeadlineNote } from '../protocol/deadline.js';
import { FrameTooLargeError, LineSplitter } from '../protocol/line-splitter.js';
import { errorResponse, RPC_ERRORS } from '../protocol/rpc-errors.js';
import { parseMessage } from '../protocol/wire.js';
import type { CallContext, Dispatcher } from './dispatcher.js';
import type { TransportObserver } from './http-transport.js';
import { respond } from './respond.js';

/** TcpTransportOptions configure the newline-delimited JSON-RPC listener. */
export interface TcpTransportOptions {
  host: string;
  port: number;
  dispatcher: Dispatcher;
  maxFrameBytes: number;
  requestTimeoutMs: number;
  /** maxPipelined: requests answered at once per connection before reading pauses (backpressure). */
  maxPipelined?: number;
  /** observer: told about every message and every refusal (metrics). */
  observer?: TransportObserver;
}

/**
 * TcpTransport serves newline-delimited JSON-RPC 2.0 and 1.0 (Go's net/rpc/jsonrpc) on persistent
 * connections. Requests are pipelined and answered as they finish (matched by id); an over-size
 * frame gets one error line and closes that connection only. A batch may start with an
 * `rpc.deadline` notification (see deadline.ts) that shortens the request timeout for its calls.
 */
export class TcpTransport {
  readonly #opts: TcpTransportOptions;
  readonly #server: net.Server;
  readonly #conns = new Set<Connection>();
  #draining = false;

  constructor(opts: TcpTransportOptions) {
    this.#opts = opts;
    this.#server = net.createServer({ noDelay: true }, (socket) => {
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

class Connection {
  readonly #socket: net.Socket;
  readonly #opts: TcpTransportOptions;
  readonly #splitter: LineSplitter;
  readonly #maxPipelined: number;
  #inflight = 0;
  #closed = false;
  #writePaused = false;
  #draining = false;
  #idle: (() => void) | undefined;

  constructor(socket: net.Socket, opts: TcpTransportOptions, onClose: () => void) {
    this.#socket = socket;
    this.#opts = opts;
    this.#splitter = new LineSplitter(opts.maxFrameBytes);
    this.#maxPipelined = opts.maxPipelined ?? 1024;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#closed = true;
      this.#idle?.();
      onClose();
    });
  }

  get inflight(): number {
    return this.#inflight;
  }

  drain(drainMs: number): Promise<void> {
    this.#draining = true;
    this.#socket.pause();
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
    for (const line of lines) this.#handleLine(line);
  }

  #handleLine(line: string): void {
    const observer = this.#opts.observer;
    const parsed = parseMessage(line);
    if (!parsed.ok) {
      observer?.onReject(parsed.reason);
      this.#write(JSON.stringify(parsed.response));
      return;
    }
    const { message, askedMs } = takeDeadlineNote(parsed.message);
    observer?.onMessage(Array.isArray(message) ? message.length : undefined);
    this.#inflight++;
    if (this.#inflight >= this.#maxPipelined) this.#socket.pause();
    const ctx: CallContext = {
      deadline: deadlineAt(askedMs, this.#opts.requestTimeoutMs),
      onReject: observer && ((reason) => observer.onReject(reason)),
    };
    // respond never rejects; the finally still runs if writing throws, so the count cannot leak.
    void respond(this.#opts.dispatcher, message, ctx)
      .then((text) => {
        if (text !== undefined) this.#write(text);
      })
      .catch(() => this.#socket.destroy())
      .finally(() => {
        this.#inflight--;
        this.#maybeResume();
        if (this.#inflight === 0) this.#idle?.();
      });
  }

  #maybeResume(): void {
    if (!this.#writePaused && !this.#draining && this.#inflight < this.#maxPipelined) this.#socket.resume();
  }

  /** Write one response line; a client that stops reading stops being read (no unbounded buffering). */
  #write(text: string): void {
    if (this.#closed || !this.#socket.writable) return;
    if (!this.#socket.write(`${text}\n`) && !this.#writePaused) {
      this.#writePaused = true;
      this.#socket.pause();
      this.#socket.once('drain', () => {
        this.#writePaused = false;
        this.#maybeResume();
      });
    }
  }
}
