import { describe, expect, it } from 'vitest';
import { ATTEMPT_TIMEOUT, AttemptTimeoutError, attemptTimeoutMs } from '../../src/client/attempt-timeout.js';
import { TransportError } from '../../src/client/errors.js';
import { Ewma } from '../../src/client/ewma.js';

describe('attemptTimeoutMs', () => {
  const { multiplier, floorMs, ceilingMs } = ATTEMPT_TIMEOUT;

  it('is a multiple of the latency between the floor and the ceiling', () => {
    expect(attemptTimeoutMs(100)).toBe(100 * multiplier);
    expect(attemptTimeoutMs(floorMs / multiplier + 10)).toBe(floorMs + 10 * multiplier);
  });

  it('gives a node that has not answered yet the ceiling', () => {
    expect(attemptTimeoutMs(undefined)).toBe(ceilingMs);
    expect(attemptTimeoutMs(new Ewma().recent())).toBe(ceilingMs);
  });

  it('never goes under the floor, however fast the node', () => {
    expect(attemptTimeoutMs(0.5)).toBe(floorMs);
    expect(attemptTimeoutMs(0)).toBe(floorMs);
    expect(attemptTimeoutMs(0.001)).toBe(floorMs);
    expect(attemptTimeoutMs(Number.NaN)).toBe(floorMs);
    expect(attemptTimeoutMs(-3)).toBe(floorMs);
  });

  it('never goes over the ceiling, however slow the node was', () => {
    expect(attemptTimeoutMs(10_000)).toBe(ceilingMs);
    expect(attemptTimeoutMs(Number.POSITIVE_INFINITY)).toBe(floorMs); // not a latency: floor
  });

  it('follows a node that slows at once (peak EWMA), and relaxes as it recovers (fake clock)', () => {
    const ewma = new Ewma(1_000);
    for (let t = 0; t < 1_000; t += 10) ewma.observe(2, t);
    expect(attemptTimeoutMs(ewma.recent())).toBe(floorMs);
    ewma.observe(300, 1_000);
    expect(attemptTimeoutMs(ewma.recent())).toBe(300 * multiplier);
    expect(attemptTimeoutMs(ewma.recent())).toBe(300 * multiplier); // idle: what it last showed stands
    for (let t = 1_010; t < 6_000; t += 10) ewma.observe(2, t);
    expect(attemptTimeoutMs(ewma.recent())).toBe(floorMs);
  });

  it('a fixed attemptTimeoutMs overrides the rule; 0 means never', () => {
    expect(attemptTimeoutMs(1_000, 50)).toBe(50);
    expect(attemptTimeoutMs(0.1, 5_000)).toBe(5_000);
    expect(attemptTimeoutMs(100, 0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('AttemptTimeoutError is a retryable timeout TransportError naming the node', () => {
    const e = new AttemptTimeoutError(250, 'n1');
    expect(e).toBeInstanceOf(TransportError);
    expect(e.name).toBe('AttemptTimeoutError');
    expect(e.retryable).toBe(true);
    expect(e.kind).toBe('timeout');
    expect(e.message).toContain('n1');
  });
});
