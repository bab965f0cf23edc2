/**
 * Backoff yields retry delays: exponential from `initialMs`, capped at `maxMs`, with full jitter
 * in the upper half so many nodes retrying at once do not stampede etcd. `reset()` after success.
 */
export class Backoff {
  #attempt = 0;
  constructor(
    readonly initialMs = 100,
    readonly maxMs = 5_000,
  ) {}

  /** next returns the delay before the next attempt and advances. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return Math.round(base / 2 + Math.random() * (base / 2));
  }

  /** reset starts again from `initialMs`. */
  reset(): void {
    this.#attempt = 0;
  }

  /** attempts is how many delays were handed out since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }
}

/** sleep resolves after `ms` (timer unref'd), or early (without rejecting) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
