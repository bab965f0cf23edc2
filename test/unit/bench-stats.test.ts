import { describe, expect, it } from 'vitest';
import { LatencyRecorder, percentile } from '../../bench/lib/stats.js';

describe('bench LatencyRecorder', () => {
  it('orders latencies numerically (10 after 9, fractions in place) for p50 and p99', () => {
    const r = new LatencyRecorder();
    for (const ms of [10, 9, 0.5, 100, 2, 1.25, 30, 11, 3, 4]) r.add(ms);
    // Sorted: 0.5 1.25 2 3 4 9 10 11 30 100 → nearest rank p50 is index 5, p99 index 9.
    expect(r.summary()).toEqual({ p50Ms: 9, p99Ms: 100 });
    expect(r.count).toBe(10);
  });

  it('percentile reads a typed array as well as a plain one', () => {
    expect(percentile(Float64Array.from([1, 2, 3, 4]), 0.5)).toBe(3);
    expect(percentile([], 0.5)).toBe(0);
  });
});
