import v8 from 'node:v8';
import vm from 'node:vm';

/** collector returns V8's full-collection function, or undefined when it cannot be had. */
function collector(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * MemoryGuard keeps a node's resident memory near what it really holds. Under a fast stream of
 * large requests V8 lets garbage pile up before it collects (seen: 200 MB resident with 16 MB
 * live after a fuzz run), so a node's memory would say more about its input rate than its state.
 * Once resident memory passes `softLimitMb` the guard runs one full collection, which gives the
 * freed pages back, at most once per `minIntervalMs`; it checks once a second, off the event
 * loop's keep-alive. `softLimitMb` 0 turns it off. Emits nothing; `collections` counts its runs.
 */
export class MemoryGuard {
  collections = 0;
  readonly #softLimitBytes: number;
  readonly #minIntervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #lastAt = Number.NEGATIVE_INFINITY;

  constructor(softLimitMb: number, minIntervalMs = 1_000) {
    this.#softLimitBytes = softLimitMb * 1024 * 1024;
    this.#minIntervalMs = minIntervalMs;
  }

  /**
   * start begins the once-a-second check (a no-op when off). The collector (a V8 context of its own,
   * about 2 MB) is made only when the limit is first passed, so a node at rest does not pay for it.
   */
  start(): void {
    if (this.#softLimitBytes <= 0 || this.#timer) return;
    let gc: (() => void) | undefined;
    this.#timer = setInterval(() => {
      const now = performance.now();
      if (now - this.#lastAt < this.#minIntervalMs) return;
      if (process.memoryUsage.rss() <= this.#softLimitBytes) return;
      gc ??= collector();
      if (!gc) return this.stop();
      this.#lastAt = now;
      this.collections++;
      gc();
    }, 1_000).unref();
  }

  /** stop ends the checks. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
