import { describe, expect, it } from 'vitest';
import { NodeHealth } from '../../src/client/node-health.js';

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
    expect(h.state(h.ejectedUntil)).toBe('half-open');
    expect(h.available(h.ejectedUntil)).toBe(false); // user calls wait for a probe's answer
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
    expect(h.available(300)).toBe(false);
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

  describe('probes after an ejection (user calls go back only after an answer)', () => {
    it('is due once the ejection ends, not before, and not twice at once', () => {
      const h = new NodeHealth({ random: noJitter });
      expect(h.probeDue(0)).toBe(false); // closed: nothing to probe
      h.onFailure('timeout', 0);
      expect(h.probeDue(99)).toBe(false);
      expect(h.probeDue(100)).toBe(true);
      h.startProbe();
      expect(h.probing).toBe(true);
      expect(h.probeDue(100)).toBe(false);
      expect(h.available(5_000)).toBe(false);
    });

    it('an answered probe closes the breaker: available, backoff starts over', () => {
      const h = new NodeHealth({ random: noJitter });
      h.onFailure('refused', 0);
      h.startProbe();
      h.onProbe(true, undefined, 150);
      expect(h.state(150)).toBe('closed');
      expect(h.available(150)).toBe(true);
      expect(h.probing).toBe(false);
      h.onFailure('refused', 200);
      expect(h.ejectedUntil).toBe(300);
    });

    it('a timed-out probe leaves it half-open, the next probe due at once, no new ejection', () => {
      const h = new NodeHealth({ random: noJitter });
      h.onFailure('timeout', 0);
      h.startProbe();
      h.onProbe(false, 'timeout', 2_100);
      expect(h.state(2_100)).toBe('half-open');
      expect(h.available(2_100)).toBe(false);
      expect(h.probeDue(2_100)).toBe(true);
      expect(h.ejections).toBe(1);
    });

    it('a refused probe ejects again, for twice as long', () => {
      const h = new NodeHealth({ random: noJitter });
      h.onFailure('refused', 0);
      h.startProbe();
      h.onProbe(false, 'refused', 110);
      expect(h.state(110)).toBe('ejected');
      expect(h.ejectedUntil).toBe(310);
      expect(h.ejections).toBe(2);
      expect(h.probeDue(309)).toBe(false);
      expect(h.probeDue(310)).toBe(true);
    });

    it('a failed probe after a re-ejection meanwhile (a panic-mode call) changes nothing more', () => {
      const h = new NodeHealth({ random: noJitter });
      h.onFailure('refused', 0);
      h.startProbe();
      expect(h.onFailure('reset', 100)).toBe(true); // half-open: ejects again at once, until 300
      h.onProbe(false, 'refused', 120);
      expect(h.ejectedUntil).toBe(300);
      expect(h.ejections).toBe(2);
    });
  });

  it('rejects inconsistent options', () => {
    expect(() => new NodeHealth({ baseMs: 0 })).toThrow(RangeError);
    expect(() => new NodeHealth({ baseMs: 100, maxMs: 50 })).toThrow(RangeError);
    expect(() => new NodeHealth({ failureThreshold: 0 })).toThrow(RangeError);
    expect(() => new NodeHealth({ failureThreshold: 1.5 })).toThrow(RangeError);
  });
});
