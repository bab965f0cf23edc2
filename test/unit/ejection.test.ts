import { describe, expect, it } from 'vitest';
import { NodeHealth } from '../../src/client/ejection.js';

/** noJitter makes ejection times exact (the jitter factor is 0.8 + 0.4 × 0.5 = 1). */
const noJitter = (): number => 0.5;

describe('NodeHealth', () => {
  it('starts closed and available', () => {
    const h = new NodeHealth();
    expect(h.state(0)).toBe('closed');
    expect(h.available(0)).toBe(true);
    expect(h.ejections).toBe(0);
    expect(h.ejectedUntil).toBe(0);
  });

  it.each(['refused', 'timeout'] as const)('ejects at once on %s, for the base time with jitter', (kind) => {
    const h = new NodeHealth({ baseMs: 100 });
    expect(h.onFailure(kind, 1000)).toBe(true);
    expect(h.state(1000)).toBe('ejected');
    expect(h.available(1000)).toBe(false);
    expect(h.ejections).toBe(1);
    expect(h.ejectedUntil).toBeGreaterThanOrEqual(1080);
    expect(h.ejectedUntil).toBeLessThanOrEqual(1120);
    expect(h.available(h.ejectedUntil)).toBe(true);
  });

  it.each(['server', 'reset'] as const)('ejects on the 3rd consecutive %s failure, not before', (kind) => {
    const h = new NodeHealth({ random: noJitter });
    expect(h.onFailure(kind, 0)).toBe(false);
    expect(h.onFailure(kind, 1)).toBe(false);
    expect(h.state(1)).toBe('closed');
    h.onSuccess();
    expect(h.onFailure(kind, 2)).toBe(false);
    expect(h.onFailure(kind, 3)).toBe(false);
    expect(h.available(3)).toBe(true);
    expect(h.onFailure(kind, 4)).toBe(true);
    expect(h.available(4)).toBe(false);
    expect(h.ejectedUntil).toBe(104);
  });

  it('doubles each consecutive ejection and caps it at maxMs', () => {
    const h = new NodeHealth({ baseMs: 100, maxMs: 1000, random: noJitter });
    const durations: number[] = [];
    let now = 0;
    for (let i = 0; i < 7; i++) {
      h.onFailure('refused', now);
      durations.push(h.ejectedUntil - now);
      now = h.ejectedUntil;
      expect(h.state(now)).toBe('half-open');
    }
    expect(durations).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(h.ejections).toBe(7);
  });

  it('keeps jitter within ±20% and never past maxMs', () => {
    for (let i = 0; i < 200; i++) {
      const h = new NodeHealth({ baseMs: 100, maxMs: 300 });
      const durations: number[] = [];
      let now = 0;
      for (let k = 0; k < 3; k++) {
        h.onFailure('timeout', now);
        durations.push(h.ejectedUntil - now);
        now = h.ejectedUntil;
      }
      const [a, b, c] = durations as [number, number, number];
      const eps = 1e-9; // ejectedUntil - now is computed in floating point
      expect(a).toBeGreaterThanOrEqual(80 - eps);
      expect(a).toBeLessThanOrEqual(120 + eps);
      expect(b).toBeGreaterThanOrEqual(160 - eps);
      expect(b).toBeLessThanOrEqual(240 + eps);
      expect(c).toBeGreaterThanOrEqual(240 - eps);
      expect(c).toBeLessThanOrEqual(300 + eps);
    }
  });

  it('half-open then success closes, and backoff starts over', () => {
    const h = new NodeHealth({ random: noJitter });
    h.onFailure('refused', 0);
    h.onFailure('refused', 100);
    expect(h.state(299)).toBe('ejected');
    expect(h.state(300)).toBe('half-open');
    expect(h.available(300)).toBe(true);
    h.onSuccess();
    expect(h.state(300)).toBe('closed');
    expect(h.onFailure('server', 301)).toBe(false);
    h.onFailure('refused', 302);
    expect(h.ejectedUntil).toBe(402);
  });

  it('half-open then any failure ejects again at once, for twice as long', () => {
    const h = new NodeHealth({ random: noJitter });
    h.onFailure('timeout', 0);
    expect(h.state(100)).toBe('half-open');
    expect(h.onFailure('server', 100)).toBe(true);
    expect(h.state(100)).toBe('ejected');
    expect(h.ejectedUntil).toBe(300);
    expect(h.ejections).toBe(2);
  });

  it('ignores failures of calls that land while the node is ejected', () => {
    const h = new NodeHealth({ random: noJitter });
    h.onFailure('refused', 0);
    expect(h.onFailure('refused', 50)).toBe(false);
    expect(h.onFailure('server', 60)).toBe(false);
    expect(h.ejectedUntil).toBe(100);
    expect(h.ejections).toBe(1);
  });

  it('rejects inconsistent options', () => {
    expect(() => new NodeHealth({ baseMs: 0 })).toThrow(RangeError);
    expect(() => new NodeHealth({ baseMs: 100, maxMs: 50 })).toThrow(RangeError);
    expect(() => new NodeHealth({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => new NodeHealth({ failureThreshold: 1.5 })).toThrow(RangeError);
  });
});
