/**
 * SilenceWatch finds a silent connection in about a second: while requests are outstanding and
 * nothing has been heard for `silenceMs`, it asks for a ping; when `answerMs` more pass without a
 * byte, it declares the connection dead. The dead check runs in a `setImmediate` after the timer,
 * so bytes that arrived while this process itself was stalled are read first and count as heard.
 */

/** SilenceWatchOptions: thresholds and what to do. */
export interface SilenceWatchOptions {
  /** silenceMs: silence (with requests outstanding) after which a ping is sent (default 500). */
  silenceMs?: number;
  /** answerMs: how long the ping may go unanswered before the connection is dead (default 500). */
  answerMs?: number;
  /** outstanding: whether requests are waiting for answers now. */
  outstanding: () => boolean;
  /** ping: send one ping. */
  ping: () => void;
  /** dead: the connection stayed silent past the ping; `silentMs` since the last byte. */
  dead: (silentMs: number) => void;
  /** now: the clock (default `performance.now`; for tests). */
  now?: () => number;
}

/** SilenceWatch tracks one connection's silence; `start` arms its (unref'd) timer, `stop` clears it. */
export class SilenceWatch {
  readonly silenceMs: number;
  readonly answerMs: number;
  readonly #opts: SilenceWatchOptions;
  readonly #now: () => number;
  #heardAt: number;
  #pingAt = -1;
  #timer: NodeJS.Timeout | undefined;

  /** SilenceWatch creates a stopped watch; throws a RangeError on thresholds that are not > 0. */
  constructor(opts: SilenceWatchOptions) {
    this.silenceMs = opts.silenceMs ?? 500;
    this.answerMs = opts.answerMs ?? 500;
    for (const [name, v] of [
      ['silenceMs', this.silenceMs],
      ['answerMs', this.answerMs],
    ] as const) {
      if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be > 0, got ${v}`);
    }
    this.#opts = opts;
    this.#now = opts.now ?? (() => performance.now());
    this.#heardAt = this.#now();
  }

  /** start checks every quarter of the shorter threshold until `stop`. */
  start(): void {
    if (this.#timer) return;
    const every = Math.max(10, Math.min(this.silenceMs, this.answerMs) / 4);
    this.#timer = setInterval(() => this.tick(), every);
    this.#timer.unref();
  }

  /** stop clears the timer. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** heard records that bytes arrived: the connection is alive, any ping is answered. */
  heard(): void {
    this.#heardAt = this.#now();
    this.#pingAt = -1;
  }

  /** busy is called when a request goes out with none outstanding: silence counts from now. */
  busy(): void {
    this.heard();
  }

  /** pinging is true while a ping is unanswered. */
  get pinging(): boolean {
    return this.#pingAt >= 0;
  }

  /** tick checks once (the timer calls it; tests call it with a fake clock). */
  tick(): void {
    if (!this.#opts.outstanding()) {
      this.#pingAt = -1;
      return;
    }
    const now = this.#now();
    if (this.#pingAt < 0) {
      if (now - this.#heardAt < this.silenceMs) return;
      this.#pingAt = now;
      this.#opts.ping();
      return;
    }
    if (now - this.#pingAt < this.answerMs) return;
    const sent = this.#pingAt;
    setImmediate(() => {
      if (this.#pingAt === sent && this.#opts.outstanding()) this.#opts.dead(this.#now() - this.#heardAt);
    });
  }
}
