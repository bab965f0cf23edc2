import { describe, expect, it } from 'vitest';
import { checkMethod, wireCallParams, wireManyCalls } from '../../src/client/call-args.js';
import { checkCallOptions } from '../../src/client/call-options.js';
import { checkConnectOptions } from '../../src/client/connect-checks.js';
import { toWire } from '../../src/client/exact.js';
import { checkMapOptions } from '../../src/results/job-options.js';
import { checkKey } from '../../src/results/result-key.js';
import { checkInt, checkMs, checkOneOf, MAX_TIMER_MS } from '../../src/util/check-options.js';

describe('option checks', () => {
  it('checkMs: numbers >= 0 pass, huge ones and Infinity clamp to setTimeout limit, the rest throw', () => {
    expect(checkMs('x', undefined)).toBeUndefined();
    expect(checkMs('x', 0)).toBe(0);
    expect(checkMs('x', 1500.5)).toBe(1500.5);
    for (const v of [3e9, 1e10, Number.POSITIVE_INFINITY]) expect(checkMs('x', v)).toBe(MAX_TIMER_MS);
    expect(() => checkMs('deadlineMs', '1000')).toThrow(
      new TypeError('deadlineMs must be a number of milliseconds, got "1000"'),
    );
    for (const v of [Number.NaN, -1, Number.NEGATIVE_INFINITY])
      expect(() => checkMs('deadlineMs', v)).toThrow(RangeError);
  });

  it('checkInt and checkOneOf name the option', () => {
    expect(checkInt('n', 3, 1, 5)).toBe(3);
    for (const v of [0, 6, 1.5, Number.NaN])
      expect(() => checkInt('n', v, 1, 5)).toThrow(/n must be an integer from 1 to 5/);
    expect(() => checkInt('n', '3', 1)).toThrow(TypeError);
    expect(checkOneOf('mode', 'a', ['a', 'b'])).toBe('a');
    expect(() => checkOneOf('mode', 'c', ['a', 'b'])).toThrow("mode must be one of 'a', 'b', got \"c\"");
  });

  it('checkCallOptions returns the same object unless a value was clamped', () => {
    const o = { deadlineMs: 100, attempts: 2 };
    expect(checkCallOptions(o)).toBe(o);
    expect(checkCallOptions({ deadlineMs: Number.POSITIVE_INFINITY, k: 2 })).toEqual({
      deadlineMs: MAX_TIMER_MS,
      attemptTimeoutMs: undefined,
      hedgeMs: undefined,
      k: 2,
    });
    for (const bad of [
      null,
      5,
      { attempts: 0 },
      { attempts: -1 },
      { hedgeMs: Number.NaN },
      { key: 5 },
      { signal: {} },
    ])
      expect(() => checkCallOptions(bad as never)).toThrow();
  });

  it('call arguments: method, params and callMany groups', () => {
    for (const m of [undefined, '', 5])
      expect(() => checkMethod(m)).toThrow(/method must be a non-empty string/);
    expect(() => wireCallParams(() => 1)).toThrow(TypeError);
    expect(wireCallParams(undefined)).toBeUndefined();
    expect(wireCallParams({ A: 2n ** 70n, B: 1 })).toEqual({ A: '1180591620717411303424', B: 1 });
    // biome-ignore lint/suspicious/noSparseArray: the case under test
    expect(() => wireManyCalls([, { method: 'a', params: [] }])).toThrow('calls[0] must be an object');
    expect(() => wireManyCalls('x')).toThrow(TypeError);
    expect(() => wireManyCalls([{ method: 'a' }, { params: [] }])).toThrow('calls[1].method');
    expect(wireManyCalls([{ method: 'a', params: [1n] }])).toEqual([{ method: 'a', params: [1] }]);
    expect(() => toWire(undefined as never, 'A')).toThrow(
      'A: expected a bigint, a safe integer or a decimal string, got undefined',
    );
    expect(() => checkKey(123 as never)).toThrow(/key must be a string, got number/);
  });

  it('connect and map options', () => {
    expect(() => checkConnectOptions(undefined as never)).toThrow(TypeError);
    expect(() => checkConnectOptions({ etcd: 'h:1' } as never)).toThrow(/got a string/);
    expect(() => checkConnectOptions({ etcd: ['h:1'], maxQueued: 1, retryBudget: { ratio: -1 } })).toThrow(
      RangeError,
    );
    const c = checkConnectOptions({ etcd: { endpoints: ['h:1'], callTimeoutMs: 1e12 }, deadlineMs: 1e12 });
    expect(c.deadlineMs).toBe(MAX_TIMER_MS);
    expect((c.etcd as { callTimeoutMs: number }).callTimeoutMs).toBe(MAX_TIMER_MS);
    for (const bad of [
      { concurrency: Number.NaN },
      { concurrency: 0 },
      { verify: 'bogus' },
      { checkExisting: 'x' },
      { progressIntervalMs: -1 },
      { onIssue: 5 },
    ])
      expect(() => checkMapOptions(bad as never)).toThrow();
    expect(checkMapOptions({ deadlineMs: Number.POSITIVE_INFINITY }).deadlineMs).toBe(MAX_TIMER_MS);
  });
});
