/** Small statistics helpers shared by every section. */

/** percentile returns the q-quantile (0..1) of an ascending array (nearest rank), or 0 when empty. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** median of the finite numbers in `xs` (the mean of the middle two for an even count); NaN if none. */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** round keeps `digits` decimals (default 3). */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** ratio is a / b rounded to two decimals, or NaN when either side is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return Number.NaN;
  }
  return round(a / b, 2);
}

/** LatencyRecorder collects call latencies (ms) and summarises them. */
export class LatencyRecorder {
  #samples: number[] = [];

  /** add records one latency in ms. */
  add(ms: number): void {
    this.#samples.push(ms);
  }

  /** count is the number of samples so far. */
  get count(): number {
    return this.#samples.length;
  }

  /**
   * summary sorts the samples and returns p50 and p99 in ms. A Float64Array sorts numerically in
   * native code: a comparator called from JavaScript took ~0.5 s of the bench process's CPU for a
   * 256-caller run, inside the measured window (so in its CPU per call).
   */
  summary(): { p50Ms: number; p99Ms: number } {
    const s = Float64Array.from(this.#samples).sort();
    return { p50Ms: round(percentile(s, 0.5)), p99Ms: round(percentile(s, 0.99)) };
  }
}
