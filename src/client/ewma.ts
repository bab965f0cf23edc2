/** Peak-sensitive, time-decayed moving average of latency (peak EWMA, as in Finagle and Linkerd). */

/**
 * Ewma tracks a node's latency. Each sample is blended in with weight `1 - exp(-Δt / decayMs)`,
 * Δt being the time since the previous sample, so the average follows new samples at a pace set by
 * time rather than by call rate. It is peak-sensitive: a sample above the average replaces it at
 * once (a slowing node is punished fast and recovers slowly). While no samples arrive, `value`
 * decays toward 0 by the same factor, so a node that was slow and then left idle is tried again.
 */
export class Ewma {
  /** decayMs is the time constant of the decay (ms). */
  readonly decayMs: number;
  #avg = 0;
  #stamp = 0;
  #seen = false;

  /** Ewma creates an empty average; `decayMs` (default 10 s) must be a finite number > 0. */
  constructor(decayMs = 10_000) {
    if (!(Number.isFinite(decayMs) && decayMs > 0))
      throw new RangeError(`decayMs must be > 0, got ${decayMs}`);
    this.decayMs = decayMs;
  }

  /** observe adds one latency sample (ms) taken at `now` (ms); NaN is ignored, negatives count as 0. */
  observe(sampleMs: number, now: number): void {
    if (Number.isNaN(sampleMs)) return;
    const sample = Math.max(0, sampleMs);
    if (!this.#seen) {
      this.#avg = sample;
      this.#stamp = now;
      this.#seen = true;
      return;
    }
    const w = Math.exp(-Math.max(0, now - this.#stamp) / this.decayMs);
    this.#avg = sample > this.#avg ? sample : this.#avg * w + sample * (1 - w);
    if (now > this.#stamp) this.#stamp = now;
  }

  /**
   * recent returns the average as of its last sample, without the idle decay (what the node last
   * showed), or undefined before any sample.
   */
  recent(): number | undefined {
    return this.#seen ? this.#avg : undefined;
  }

  /** value returns the average at `now` (ms): 0 before any sample, decaying toward 0 while idle. */
  value(now: number): number {
    if (!this.#seen) return 0;
    return this.#avg * Math.exp(-Math.max(0, now - this.#stamp) / this.decayMs);
  }
}
