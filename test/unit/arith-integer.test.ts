import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARITH_ERROR_CODES,
  ArithError,
  bitLength,
  DEFAULT_ARITH_LIMITS,
  DivideByZeroError,
  encodeInteger,
  InvalidParamsError,
  parseInteger,
  ResultTooLargeError,
} from '../../src/arith/index.js';
import { stringifyExact } from '../../src/protocol/exact-json.js';

const SAFE = 2n ** 53n - 1n;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function invalid(fn: () => unknown): InvalidParamsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidParamsError);
    return err as InvalidParamsError;
  }
  throw new Error('expected InvalidParamsError, nothing was thrown');
}

describe('errors', () => {
  it('carry codes, names, data and cause', () => {
    const cause = new Error('root');
    const e = new InvalidParamsError('A: bad', { cause, data: { param: 'A' } });
    expect(e).toBeInstanceOf(ArithError);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe(-32602);
    expect(e.name).toBe('InvalidParamsError');
    expect(e.cause).toBe(cause);
    expect(e.data).toEqual({ param: 'A' });
    const d = new DivideByZeroError();
    expect([d.code, d.name, d.message]).toEqual([1001, 'DivideByZeroError', 'divide by zero']);
    expect('data' in d).toBe(false);
    const r = new ResultTooLargeError('Pow(10, 100000)', 65536);
    expect([r.code, r.name, r.message]).toEqual([
      1002,
      'ResultTooLargeError',
      'result too large: Pow(10, 100000) would exceed 65536 bits',
    ]);
    expect(ARITH_ERROR_CODES).toEqual({
      INVALID_PARAMS: -32602,
      DIVIDE_BY_ZERO: 1001,
      RESULT_TOO_LARGE: 1002,
    });
  });
});

describe('parseInteger', () => {
  it('accepts safe numbers, bigints and decimal strings exactly', () => {
    expect(parseInteger(7, 'A')).toBe(7n);
    expect(parseInteger(-0, 'A')).toBe(0n);
    expect(parseInteger(Number.MAX_SAFE_INTEGER, 'A')).toBe(SAFE);
    expect(parseInteger(-Number.MAX_SAFE_INTEGER, 'A')).toBe(-SAFE);
    expect(parseInteger(9007199254740993n, 'A')).toBe(9007199254740993n);
    expect(parseInteger('9007199254740993', 'A')).toBe(9007199254740993n);
    expect(parseInteger('-0', 'A')).toBe(0n);
    expect(parseInteger('007', 'A')).toBe(7n);
    expect(parseInteger('9'.repeat(4096), 'A')).toBe(10n ** 4096n - 1n);
    expect(parseInteger(`-${'9'.repeat(4096)}`, 'A')).toBe(1n - 10n ** 4096n);
  });

  it('round-trips any bigint within maxDigits via its decimal string', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 300n), max: 10n ** 300n }), (n) => {
        expect(parseInteger(n.toString(), 'A')).toBe(n);
        expect(parseInteger(n, 'A')).toBe(n);
      }),
    );
  });

  it.each([
    [1.5, 'A: expected an integer, got 1.5'],
    [Number.NaN, 'A: expected an integer, got NaN'],
    [Number.POSITIVE_INFINITY, 'A: expected an integer, got Infinity'],
    [true, 'A: expected an integer, got true'],
    [null, 'A: expected an integer, got null'],
    [undefined, 'A: expected an integer, got undefined'],
    [{}, 'A: expected an integer, got an object'],
    [[1], 'A: expected an integer, got an array'],
    [2 ** 53, 'A: 9007199254740992 is not a safe integer; send integers beyond ±(2^53−1) as decimal strings'],
  ])('rejects %p', (value, message) => {
    const e = invalid(() => parseInteger(value, 'A'));
    expect(e.message).toBe(message);
    expect(e.code).toBe(ARITH_ERROR_CODES.INVALID_PARAMS);
  });

  it.each(['', '-', '+1', ' 12', '12 ', '1e3', '1.0', '0x10', '١٢', '12n', '--1'])(
    'rejects string %p',
    (s) => {
      expect(invalid(() => parseInteger(s, 'B')).message).toMatch(/^B: expected an integer/);
    },
  );

  it('rejects oversized inputs without echoing them', () => {
    const huge = '1'.repeat(5000);
    const e = invalid(() => parseInteger(huge, 'A'));
    expect(e.message).toMatch(/^A: .*5000 digits/);
    expect(e.message.length).toBeLessThan(200);
    const garbage = `x${'y'.repeat(100_000)}`;
    const g = invalid(() => parseInteger(garbage, 'A'));
    expect(g.message.length).toBeLessThan(200);
    expect(invalid(() => parseInteger(10n ** 4096n, 'A')).message).toMatch(/4097 digits/);
    expect(parseInteger(10n ** 4095n, 'A')).toBe(10n ** 4095n);
  });

  it('honours custom limits', () => {
    const limits = { ...DEFAULT_ARITH_LIMITS, maxDigits: 3 };
    expect(parseInteger('-999', 'A', limits)).toBe(-999n);
    expect(parseInteger(999, 'A', limits)).toBe(999n);
    invalid(() => parseInteger('1000', 'A', limits));
    invalid(() => parseInteger(1000, 'A', limits));
    invalid(() => parseInteger(1000n, 'A', limits));
  });
});

describe('encodeInteger', () => {
  it('json mode: numbers up to ±(2^53−1), decimal strings beyond', () => {
    expect(encodeInteger(SAFE, 'json')).toBe(Number.MAX_SAFE_INTEGER);
    expect(encodeInteger(-SAFE, 'json')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(encodeInteger(SAFE + 1n, 'json')).toBe('9007199254740992');
    expect(encodeInteger(-SAFE - 1n, 'json')).toBe('-9007199254740992');
    expect(encodeInteger(0n, 'json')).toBe(0);
  });

  it('int64 mode: numbers up to ±(2^53−1), bigints within int64, decimal strings beyond', () => {
    expect(encodeInteger(INT64_MAX, 'int64')).toBe(INT64_MAX);
    expect(encodeInteger(INT64_MIN, 'int64')).toBe(INT64_MIN);
    expect(encodeInteger(INT64_MAX + 1n, 'int64')).toBe('9223372036854775808');
    expect(encodeInteger(INT64_MIN - 1n, 'int64')).toBe('-9223372036854775809');
    // A safe result stays a number, so its response is written by JSON.stringify's fast path.
    expect(encodeInteger(7n, 'int64')).toBe(7);
    expect(encodeInteger(SAFE, 'int64')).toBe(Number.MAX_SAFE_INTEGER);
    expect(encodeInteger(-SAFE, 'int64')).toBe(-Number.MAX_SAFE_INTEGER);
    expect(encodeInteger(SAFE + 1n, 'int64')).toBe(SAFE + 1n);
    expect(encodeInteger(-SAFE - 1n, 'int64')).toBe(-SAFE - 1n);
  });

  it('int64 mode writes every int64 as its exact digits, a raw JSON number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (n) => {
        expect(stringifyExact({ result: encodeInteger(n, 'int64') })).toBe(`{"result":${n}}`);
      }),
    );
  });

  it('never loses precision', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }),
        fc.constantFrom('json', 'int64'),
        (n, mode) => {
          const e = encodeInteger(n, mode as 'json' | 'int64');
          expect(typeof e === 'number' ? BigInt(e) : typeof e === 'string' ? BigInt(e) : e).toBe(n);
          if (typeof e === 'number') expect(Number.isSafeInteger(e)).toBe(true);
        },
      ),
    );
  });
});

describe('bitLength', () => {
  const slow = (n: bigint): number => (n === 0n ? 0 : (n < 0n ? -n : n).toString(2).length);

  it("matches the binary length around every power of two up to 2^70, and at random, like Go's BitLen", () => {
    const values: bigint[] = [0n, 1n, -1n];
    for (let k = 1n; k <= 70n; k++) {
      const p = 1n << k;
      values.push(p - 1n, p, p + 1n, -(p - 1n), -p, -(p + 1n));
    }
    for (let i = 0; i < 2_000; i++) {
      values.push(BigInt(Math.floor(Math.random() * Number.MAX_SAFE_INTEGER)) * (i % 2 ? 1n : -1n));
      values.push(BigInt(`0x${Math.random().toString(16).slice(2)}${Math.random().toString(16).slice(2)}`));
    }
    for (const n of values) expect([n, bitLength(n)]).toEqual([n, slow(n)]);
  });
});
