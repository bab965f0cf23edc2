import { describe, expect, it } from 'vitest';
import { Ewma } from '../../src/client/ewma.js';

describe('Ewma', () => {
  it('returns 0 before any sample, then the first sample', () => {
    const e = new Ewma();
    expect(e.value(0)).toBe(0);
    expect(e.value(1e9)).toBe(0);
    e.observe(42, 1000);
    expect(e.value(1000)).toBe(42);
  });

  it('blends a lower sample with weight 1 - exp(-Δt/decayMs)', () => {
    const e = new Ewma(1000);
    e.observe(100, 0);
    e.observe(10, 1000);
    const w = Math.exp(-1);
    expect(e.value(1000)).toBeCloseTo(100 * w + 10 * (1 - w), 9);
  });

  it('decays toward new samples and converges to them', () => {
    const e = new Ewma(1000);
    e.observe(100, 0);
    let previous = e.value(0);
    for (let t = 50; t <= 20_000; t += 50) {
      e.observe(10, t);
      const v = e.value(t);
      expect(v).toBeLessThan(previous);
      previous = v;
    }
    expect(e.value(20_000)).toBeCloseTo(10, 3);
  });

  it('jumps to a higher sample at once (peak) and recovers slowly', () => {
    const e = new Ewma(10_000);
    e.observe(10, 0);
    e.observe(1000, 5);
    expect(e.value(5)).toBe(1000);
    e.observe(10, 105);
    expect(e.value(105)).toBeGreaterThan(980);
  });

  it('decays toward 0 while idle, so an idle slow node is tried again', () => {
    const e = new Ewma(1000);
    e.observe(100, 0);
    expect(e.value(1000)).toBeCloseTo(100 / Math.E, 9);
    expect(e.value(20_000)).toBeLessThan(0.001);
    expect(e.value(-5)).toBe(100); // a clock reading before the sample does not grow the value
  });

  it('ignores NaN samples and rejects a bad decay', () => {
    const e = new Ewma();
    e.observe(Number.NaN, 0);
    expect(e.value(0)).toBe(0);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => new Ewma(bad)).toThrow(RangeError);
  });
});
