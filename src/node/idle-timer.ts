/**
 * IdleTimer calls `onIdle` once its connection has had nothing in flight for `ms` (0: never). One
 * timer per connection, re-armed only when it fires, so requests cost a timestamp, not a timer:
 * call `touch()` whenever the connection's last request in flight is answered.
 */
export class IdleTimer {
  readonly #ms: number;
  readonly #busy: () => boolean;
  readonly #onIdle: () => void;
  #since = performance.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(ms: number, busy: () => boolean, onIdle: () => void) {
    this.#ms = ms;
    this.#busy = busy;
    this.#onIdle = onIdle;
    if (ms > 0) this.#timer = setTimeout(() => this.#check(), ms).unref();
  }

  /** touch starts an idle stretch now (the connection's last request in flight was just answered). */
  touch(): void {
    this.#since = performance.now();
  }

  /** stop cancels the timer (the connection closed). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    if (this.#timer === undefined) return;
    if (this.#busy()) {
      this.#timer.refresh();
      return;
    }
    const left = this.#ms - (performance.now() - this.#since);
    if (left <= 0) this.#onIdle();
    else this.#timer = setTimeout(() => this.#check(), left).unref();
  }
}
