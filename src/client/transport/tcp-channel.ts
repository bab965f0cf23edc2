import net from 'node:net';
import tls from 'node:tls';
import { deadlineNote, remainingMs } from '../../protocol/deadline.js';
import { FrameTooLargeError, LineSplitter } from '../../protocol/line-splitter.js';
import { PING_METHOD, pingRequest } from '../../protocol/ping.js';
import { RPC_ERRORS } from '../../protocol/rpc-errors.js';
import { timerMs } from '../../util/check-options.js';
import { RemoteError, TransportError } from '../errors.js';
import type { BatchRequest, Channel } from './channel.js';
import { connectTlsOptions, type NodeTlsClientOptions, type TcpTarget, tcpTarget } from './node-tls.js';
import { PongWaiters } from './pong-waiters.js';
import { SilenceWatch } from './silence-watch.js';
import { transportError } from './transport-error.js';

/** TcpChannelOptions: the node's TCP `host:port` and limits. */
export interface TcpChannelOptions {
  nodeId: string;
  /** address: `host:port` of the node's newline-delimited JSON-RPC listener; `tls://host:port` dials TLS. */
  address: string;
  /** tls: CA, client certificate and server name for a `tls://` address. */
  tls?: NodeTlsClientOptions | undefined;
  connectTimeoutMs: number;
  /** maxReplyBytes: longest reply line accepted; a longer one drops the connection (default 64 MiB). */
  maxReplyBytes?: number;
  /** silenceMs: silence with batches outstanding before an `rpc.ping` goes out (default 500). */
  silenceMs?: number;
  /** pingAnswerMs: how long that ping may go unanswered before the connection is dropped (default 500). */
  pingAnswerMs?: number;
}

/** Grace after a batch's deadline before a silent node counts as timed out (it answers at the deadline). */
const SILENCE_GRACE_MS = 1_000;

interface InFlight {
  firstId: number;
  count: number;
  bytes: number;
  timer: NodeJS.Timeout;
  resolve: (replies: unknown[]) => void;
  reject: (error: unknown) => void;
}

/**
 * TcpChannel sends batches as lines over one persistent, pipelined socket to a node's TCP listener
 * (newline-delimited JSON-RPC 2.0): no HTTP framing, and any number of batches in flight. Each line
 * is `[rpc.deadline note, ...calls]` (the note lists each call's own deadline when they differ),
 * so the node enforces them; replies are routed to their batch by id. The socket connects on first
 * use and again after it drops; a drop fails the batches in flight with TransportError (retried on
 * other nodes by the caller). A `tls://` address is dialled with `tls.connect`; a certificate
 * failure fails them with NodeTlsError (not retried). A socket with batches outstanding that stays
 * silent for `silenceMs` gets an `rpc.ping`; `pingAnswerMs` more without a byte drop it as timed
 * out (a frozen or cut-off node is found in about a second, not at the deadline).
 */
export class TcpChannel implements Channel {
  readonly #opts: TcpChannelOptions;
  readonly #target: TcpTarget;
  #socket: net.Socket | undefined;
  #watch: SilenceWatch | undefined;
  #inflight: InFlight[] = [];
  readonly #pongs = new PongWaiters();
  #pings = 0;
  #closed = false;
  #drained: (() => void) | undefined;

  constructor(opts: TcpChannelOptions) {
    this.#opts = opts;
    this.#target = tcpTarget(opts.address);
  }

  exchange(batch: BatchRequest): Promise<unknown[]> {
    if (this.#closed) {
      return Promise.reject(new TransportError('channel closed', this.#opts.nodeId, 'reset'));
    }
    const socket = this.#socket ?? this.#connect();
    const now = Date.now();
    const waitMs = remainingMs(batch.deadlineAt, now);
    const perCall = batch.callDeadlinesAt?.map((at) => remainingMs(at, now));
    const line = `[${deadlineNote(waitMs, perCall)}${batch.calls}]\n`;
    const { firstId, count } = batch;
    return new Promise((resolve, reject) => {
      // The timer's callback is a module function with arguments: a closure here would keep this
      // scope, and with it the batch's text, alive until the batch is answered.
      const timer = setTimeout(silentTooLong, timerMs(waitMs + SILENCE_GRACE_MS), this, socket, waitMs);
      const entry: InFlight = { firstId, count, bytes: line.length, resolve, reject, timer };
      if (this.#inflight.length === 0) this.#watch?.busy();
      this.#inflight.push(entry);
      socket.write(line);
    });
  }

  /** timedOut drops `socket`: a batch on it waited `waitMs` and the grace without an answer. */
  timedOut(socket: net.Socket, waitMs: number): void {
    const msg = `no answer within ${waitMs + SILENCE_GRACE_MS} ms`;
    this.#drop(socket, new TransportError(msg, this.#opts.nodeId, 'timeout'));
  }

  ping(timeoutMs: number): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new TransportError('channel closed', this.#opts.nodeId, 'reset'));
    }
    const socket = this.#socket ?? this.#connect();
    const id = this.#pingId();
    const answered = this.#pongs.wait(id, timeoutMs, () => {
      const msg = `no answer to ${PING_METHOD} within ${timeoutMs} ms`;
      this.#drop(socket, new TransportError(msg, this.#opts.nodeId, 'timeout'));
    });
    socket.write(`${pingRequest(id)}\n`);
    return answered;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#inflight.length > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    this.#watch?.stop();
    this.#socket?.end();
    this.#socket = undefined;
    this.#pongs.failAll(new TransportError('channel closed', this.#opts.nodeId, 'reset'));
  }

  #pingId(): string {
    return `p${++this.#pings}`;
  }

  #connect(): net.Socket {
    const { host, port, tls: tlsOn } = this.#target;
    // A TLS socket buffers what is written before its handshake, so batches need not wait for it.
    const socket = tlsOn
      ? tls.connect({ host, port, ...connectTlsOptions(this.#opts.tls) }).setNoDelay(true)
      : net.connect({ host, port, noDelay: true });
    this.#socket = socket;
    const watch = new SilenceWatch({
      silenceMs: this.#opts.silenceMs,
      answerMs: this.#opts.pingAnswerMs,
      outstanding: () => this.#inflight.length > 0 && !socket.connecting,
      ping: () => socket.write(`${pingRequest(this.#pingId())}\n`),
      dead: (silentMs) => {
        const msg = `silent for ${Math.round(silentMs)} ms, no answer to ${PING_METHOD}`;
        this.#drop(socket, new TransportError(msg, this.#opts.nodeId, 'timeout'));
      },
    });
    this.#watch = watch;
    const splitter = new LineSplitter(this.#opts.maxReplyBytes ?? 64 * 1024 * 1024);
    let failure: unknown;
    socket.setTimeout(this.#opts.connectTimeoutMs, () => {
      // Timers run before pending I/O: when the event loop was blocked past the timeout, the
      // connect may have completed meanwhile. Judge after one poll phase, not before it.
      setImmediate(() => {
        if (!socket.connecting) return;
        const msg = `connect took over ${this.#opts.connectTimeoutMs} ms`;
        this.#drop(socket, new TransportError(msg, this.#opts.nodeId, 'timeout'));
      });
    });
    socket.once(tlsOn ? 'secureConnect' : 'connect', () => {
      socket.setTimeout(0);
      socket.setKeepAlive(true, 30_000);
      watch.busy();
      watch.start();
    });
    socket.on('data', (chunk: Buffer) => {
      watch.heard();
      let lines: string[];
      try {
        lines = splitter.push(chunk);
      } catch (error) {
        const msg = error instanceof FrameTooLargeError ? error.message : 'bad reply framing';
        this.#drop(socket, new TransportError(`reply ${msg}`, this.#opts.nodeId, 'server'));
        return;
      }
      for (const line of lines) this.#onLine(socket, line);
    });
    socket.on('error', (error) => (failure = error));
    socket.on('close', () => {
      const error = failure ?? new Error('connection closed by the node');
      this.#drop(socket, transportError(error, this.#opts.nodeId));
    });
    return socket;
  }

  #onLine(socket: net.Socket, line: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      this.#drop(socket, transportError(error, this.#opts.nodeId));
      return;
    }
    const replies = Array.isArray(parsed) ? parsed : [parsed];
    const id = (replies[0] as { id?: unknown } | null)?.id;
    if (typeof id === 'string') {
      this.#pongs.answer(id); // only pings carry string ids (a liveness ping's answer: heard)
      return;
    }
    if (typeof id !== 'number') {
      this.#refused(replies[0]);
      return;
    }
    const at = this.#inflight.findIndex((b) => id >= b.firstId && id < b.firstId + b.count);
    if (at === -1) return; // a batch already failed (timed out): its late answer is dropped
    const [entry] = this.#inflight.splice(at, 1);
    this.#settled(entry!).resolve(replies);
  }

  /**
   * A reply without an id refuses a whole line (too large, or unreadable); the node closes the
   * connection after it. It fails the largest batch in flight, the one that must have caused it;
   * the others fail with the connection, as resets (retryable elsewhere).
   */
  #refused(reply: unknown): void {
    const error = (reply as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (this.#inflight.length === 0) return;
    let largest = 0;
    for (let i = 1; i < this.#inflight.length; i++) {
      if (this.#inflight[i]!.bytes > this.#inflight[largest]!.bytes) largest = i;
    }
    const [entry] = this.#inflight.splice(largest, 1);
    const code = typeof error?.code === 'number' ? error.code : RPC_ERRORS.INVALID_REQUEST;
    const message = typeof error?.message === 'string' ? error.message : 'request refused by the node';
    this.#settled(entry!).reject(new RemoteError(code, message, this.#opts.nodeId));
  }

  /** Drop `socket` (if still ours) and fail every batch and ping in flight on it with `error`. */
  #drop(socket: net.Socket, error: unknown): void {
    socket.destroy();
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#watch?.stop();
    this.#watch = undefined;
    const failed = this.#inflight;
    this.#inflight = [];
    for (const entry of failed) this.#settled(entry).reject(error);
    this.#pongs.failAll(error);
  }

  #settled(entry: InFlight): InFlight {
    clearTimeout(entry.timer);
    if (this.#inflight.length === 0) this.#drained?.();
    return entry;
  }
}

function silentTooLong(channel: TcpChannel, socket: net.Socket, waitMs: number): void {
  channel.timedOut(socket, waitMs);
}
