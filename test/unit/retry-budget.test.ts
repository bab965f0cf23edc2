import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../src/util/retry-budget.js';

/** drain withdraws at `now` until the budget refuses (at most `max`), returning how many succeeded. */
function drain(b: RetryBudget, now: number, max = 10_000): number {
  let n = 0;
  while (n < max && b.tryWithdraw(now)) n++;
  return n;
}

describe('RetryBudget', () => {
  it('allows ratio × requests + minPerSecond within one second, never more', () => {
    const b = new RetryBudget({ ratio: 0.2, minPerSecond: 10 });
    for (let i = 0; i < 1000; i++) b.onRequest(i);
    expect(b.balance(999)).toBe(200);
    expect(drain(b, 999)).toBe(210);
    expect(b.tryWithdraw(999)).toBe(false);
  });

  it('bounds retries interleaved with requests', () => {
    const b = new RetryBudget({ ratio: 0.2, minPerSecond: 10 });
    let retries = 0;
    for (let i = 0; i < 1000; i++) {
      b.onRequest(i);
      if (b.tryWithdraw(i)) retries++;
    }
    expect(retries).toBeGreaterThanOrEqual(200);
    expect(retries).toBeLessThanOrEqual(210);
  });

  it('expires deposits after ttlMs', () => {
    const b = new RetryBudget({ ratio: 0.2, minPerSecond: 0, ttlMs: 10_000 });
    for (let i = 0; i < 1000; i++) b.onRequest(i);
    expect(b.balance(9_999)).toBe(200);
    expect(b.balance(10_000)).toBe(0);
    expect(b.tryWithdraw(10_000)).toBe(false);
    // A long pause clears everything too.
    for (let i = 0; i < 100; i++) b.onRequest(20_000);
    expect(b.balance(1_000_000)).toBe(0);
  });

  it('spends the oldest deposits first', () => {
    const b = new RetryBudget({ ratio: 1, minPerSecond: 0, ttlMs: 10_000 });
    for (let i = 0; i < 5; i++) b.onRequest(0);
    for (let i = 0; i < 5; i++) b.onRequest(5_000);
    expect(drain(b, 6_000, 5)).toBe(5);
    expect(b.balance(10_000)).toBe(5); // the second-0 tokens were the ones spent
    expect(b.balance(15_000)).toBe(0);
  });

  it('allows minPerSecond retries in each second without traffic', () => {
    const b = new RetryBudget({ minPerSecond: 10 });
    expect(drain(b, 0)).toBe(10);
    expect(drain(b, 999)).toBe(0);
    expect(drain(b, 1000)).toBe(10);
    expect(drain(new RetryBudget({ ratio: 0, minPerSecond: 0 }), 0)).toBe(0);
  });

  it('rejects bad options', () => {
    expect(() => new RetryBudget({ ratio: -0.1 })).toThrow(RangeError);
    expect(() => new RetryBudget({ minPerSecond: Number.NaN })).toThrow(RangeError);
    expect(() => new RetryBudget({ ttlMs: 0 })).toThrow(RangeError);
    expect(new RetryBudget({ ttlMs: 1500 }).ttlMs).toBe(2000);
  });

  it('property: retries ≤ ratio × requests + minPerSecond × seconds touched', () => {
    const event = fc.record({
      dt: fc.nat(2500),
      retry: fc.boolean(),
      count: fc.integer({ min: 1, max: 20 }),
    });
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 200 }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.nat(5),
        (events, ratio, minPerSecond) => {
          const b = new RetryBudget({ ratio, minPerSecond, ttlMs: 3000 });
          let now = 0;
          let requests = 0;
          let retries = 0;
          const seconds = new Set<number>();
          for (const e of events) {
            now += e.dt;
            seconds.add(Math.floor(now / 1000));
            for (let k = 0; k < e.count; k++) {
              if (!e.retry) {
                b.onRequest(now);
                requests++;
              } else if (b.tryWithdraw(now)) retries++;
            }
            expect(retries).toBeLessThanOrEqual(
              Math.round(ratio * 1e6) * 1e-6 * requests + minPerSecond * seconds.size + 1e-9,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
