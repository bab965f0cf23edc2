import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARITH_METHODS,
  type ArithResult,
  DEFAULT_ARITH_LIMITS,
  DivideByZeroError,
  encodeResult,
  InvalidParamsError,
  METHOD_NAMES,
  ResultTooLargeError,
} from '../../src/arith/index.js';
import { paramsShape } from '../../src/arith/methods.js';

const L = DEFAULT_ARITH_LIMITS;

function run(name: string, params: unknown, limits = L): ArithResult {
  const method = ARITH_METHODS.get(name);
  if (method === undefined) throw new Error(`no method ${name}`);
  return method(params, limits);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const abs = (n: bigint) => (n < 0n ? -n : n);
const sign = (n: bigint) => (n > 0n ? 1n : n < 0n ? -1n : 0n);

/** Reference truncated division built only from division of non-negative numbers. */
function refDivide(a: bigint, b: bigint): { Quo: bigint; Rem: bigint } {
  const q = sign(a) * sign(b) * (abs(a) / abs(b));
  return { Quo: q, Rem: a - q * b };
}

/** The three param shapes, each with operands as numbers when safe, else as strings, and as strings. */
function shapes(a: bigint, b: bigint): unknown[] {
  const asWire = (n: bigint) => (abs(n) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString());
  const out: unknown[] = [];
  for (const enc of [asWire, (n: bigint) => n.toString(), (n: bigint) => n]) {
    out.push({ A: enc(a), B: enc(b) }, [{ A: enc(a), B: enc(b) }], [enc(a), enc(b)]);
  }
  return out;
}

const big = fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n });
const mixed = fc.oneof(big, fc.bigInt({ min: -1000n, max: 1000n }));

describe('binary methods agree with a BigInt reference in every param shape', () => {
  const cases: [string, (a: bigint, b: bigint) => bigint][] = [
    ['Arith.Add', (a, b) => a + b],
    ['Arith.Subtract', (a, b) => a - b],
    ['Arith.Multiply', (a, b) => a * b],
  ];
  it.each(cases)('%s', (name, ref) => {
    fc.assert(
      fc.property(mixed, mixed, (a, b) => {
        for (const params of shapes(a, b)) expect(run(name, params)).toBe(ref(a, b));
      }),
    );
  });

  it('Arith.Divide truncates toward zero like Go', () => {
    fc.assert(
      fc.property(mixed, mixed, (a, b) => {
        fc.pre(b !== 0n);
        const expected = refDivide(a, b);
        for (const params of shapes(a, b)) {
          const r = run('Arith.Divide', params) as { Quo: bigint; Rem: bigint };
          expect(r).toEqual(expected);
          expect(r.Quo * b + r.Rem).toBe(a);
          expect(abs(r.Rem) < abs(b)).toBe(true);
          expect([0n, sign(a)]).toContain(sign(r.Rem));
        }
      }),
    );
  });

  it('Arith.Mod has the sign of the dividend like Go', () => {
    fc.assert(
      fc.property(mixed, mixed, (a, b) => {
        fc.pre(b !== 0n);
        for (const params of shapes(a, b)) {
          const r = run('Arith.Mod', params) as bigint;
          expect(r).toBe(refDivide(a, b).Rem);
          expect([0n, sign(a)]).toContain(sign(r));
        }
      }),
    );
  });

  it('Arith.Sum', () => {
    fc.assert(
      fc.property(fc.array(mixed, { maxLength: 30 }), (values) => {
        const expected = values.reduce((s, v) => s + v, 0n);
        const strs = values.map(String);
        for (const params of [{ Values: strs }, [{ Values: strs }], strs, values]) {
          expect(run('Arith.Sum', params)).toBe(expected);
        }
      }),
    );
  });

  it('Arith.Pow matches repeated multiplication', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 6n), max: 10n ** 6n }),
        fc.integer({ min: 0, max: 40 }),
        (a, b) => {
          let expected = 1n;
          for (let i = 0; i < b; i++) expected *= a;
          for (const params of shapes(a, BigInt(b))) expect(run('Arith.Pow', params)).toBe(expected);
        },
      ),
    );
  });
});

describe('concrete examples', () => {
  it('Multiply', () => {
    expect(run('Arith.Multiply', { A: 7, B: 8 })).toBe(56n);
    const r = run('Arith.Multiply', { A: '9007199254740993', B: 3 });
    expect(encodeResult(r, 'json')).toBe('27021597764222979');
    expect(encodeResult(r, 'int64')).toBe(27021597764222979n);
  });

  it('Divide', () => {
    expect(run('Arith.Divide', { A: 17, B: 5 })).toEqual({ Quo: 3n, Rem: 2n });
    expect(run('Arith.Divide', { A: -17, B: 5 })).toEqual({ Quo: -3n, Rem: -2n });
    expect(run('Arith.Divide', { A: 17, B: -5 })).toEqual({ Quo: -3n, Rem: 2n });
    expect(run('Arith.Divide', { A: -17, B: -5 })).toEqual({ Quo: 3n, Rem: -2n });
    expect(encodeResult(run('Arith.Divide', [-17, 5]), 'json')).toEqual({ Quo: -3, Rem: -2 });
    const min64 = -(2n ** 63n);
    expect(encodeResult(run('Arith.Divide', [String(min64), -1]), 'int64')).toEqual({
      Quo: '9223372036854775808',
      Rem: 0,
    });
  });

  it('Divide and Mod by zero', () => {
    for (const name of ['Arith.Divide', 'Arith.Mod']) {
      for (const zero of [0, '0', '-0', -0, 0n]) {
        const e = thrown(() => run(name, { A: 1, B: zero }));
        expect(e).toBeInstanceOf(DivideByZeroError);
        expect((e as DivideByZeroError).message).toBe('divide by zero');
        expect((e as DivideByZeroError).code).toBe(1001);
      }
    }
  });

  it('Mod', () => {
    expect(run('Arith.Mod', [-7, 3])).toBe(-1n);
    expect(run('Arith.Mod', [7, -3])).toBe(1n);
  });

  it('Pow', () => {
    expect(run('Arith.Pow', { A: 2, B: 10 })).toBe(1024n);
    expect(run('Arith.Pow', [0, 0])).toBe(1n);
    expect(run('Arith.Pow', [0, 5])).toBe(0n);
    expect(run('Arith.Pow', [-2, 3])).toBe(-8n);
    expect(run('Arith.Pow', [2, 65535])).toBe(2n ** 65535n);
    const start = performance.now();
    expect(run('Arith.Pow', [1, 10 ** 9])).toBe(1n);
    expect(run('Arith.Pow', [-1, 10 ** 9 + 1])).toBe(-1n);
    expect(run('Arith.Pow', [-1, '1'.repeat(4000)])).toBe(-1n);
    expect(run('Arith.Pow', [0, '9'.repeat(4000)])).toBe(0n);
    const e = thrown(() => run('Arith.Pow', [10, 100000]));
    expect(e).toBeInstanceOf(ResultTooLargeError);
    expect((e as ResultTooLargeError).code).toBe(1002);
    expect((e as ResultTooLargeError).message).toBe(
      'result too large: Pow(10, 100000) would exceed 65536 bits',
    );
    expect(thrown(() => run('Arith.Pow', [2, 65536]))).toBeInstanceOf(ResultTooLargeError);
    expect(thrown(() => run('Arith.Pow', [3, 65536]))).toBeInstanceOf(ResultTooLargeError);
    expect(thrown(() => run('Arith.Pow', [2, '9'.repeat(4000)]))).toBeInstanceOf(ResultTooLargeError);
    expect(thrown(() => run('Arith.Pow', ['9'.repeat(4000), 17]))).toBeInstanceOf(ResultTooLargeError);
    expect(performance.now() - start).toBeLessThan(1000);
    const neg = thrown(() => run('Arith.Pow', [2, -1]));
    expect(neg).toBeInstanceOf(InvalidParamsError);
    expect((neg as InvalidParamsError).message).toMatch(/^B: /);
  });

  it('Pow computes exactly up to the bit bound', () => {
    // 3^41337 has 65519 bits: its upper estimate (2 × 41337) exceeds the bound but it fits.
    expect(run('Arith.Pow', [3, 41337])).toBe(3n ** 41337n);
    const tooBig = thrown(() => run('Arith.Pow', [3, 41349]));
    expect(tooBig).toBeInstanceOf(ResultTooLargeError);
    // The bound is checked before computing: 3^(10^8) would take far longer than this test allows.
    const start = performance.now();
    const lax = { ...L, maxExponent: 10 ** 9 };
    expect(thrown(() => run('Arith.Pow', [3, 10 ** 8], lax))).toBeInstanceOf(ResultTooLargeError);
    expect(performance.now() - start).toBeLessThan(1000);
    const small = { ...L, maxResultBits: 10, maxExponent: 5 };
    expect(run('Arith.Pow', [2, 5], small)).toBe(32n);
    expect(thrown(() => run('Arith.Pow', [2, 6], small))).toBeInstanceOf(ResultTooLargeError);
    expect(run('Arith.Pow', [1, 6], small)).toBe(1n);
  });

  it('results are bounded by maxResultBits', () => {
    const small = { ...L, maxResultBits: 8 };
    expect(run('Arith.Add', [127, 128], small)).toBe(255n);
    expect(thrown(() => run('Arith.Add', [128, 128], small))).toBeInstanceOf(ResultTooLargeError);
    expect(thrown(() => run('Arith.Subtract', [-128, 128], small))).toBeInstanceOf(ResultTooLargeError);
    expect(run('Arith.Multiply', [15, 17], small)).toBe(255n);
    expect(thrown(() => run('Arith.Multiply', [16, 16], small))).toBeInstanceOf(ResultTooLargeError);
    expect(thrown(() => run('Arith.Sum', [200, 56], small))).toBeInstanceOf(ResultTooLargeError);
    const nines = '9'.repeat(4096);
    expect(run('Arith.Multiply', [nines, nines])).toBe((10n ** 4096n - 1n) ** 2n);
  });

  it('Sum of nothing is 0', () => {
    expect(run('Arith.Sum', [])).toBe(0n);
    expect(run('Arith.Sum', { Values: [] })).toBe(0n);
  });
});

describe('ARITH_METHODS', () => {
  it('finds exactly the served names', () => {
    expect([...METHOD_NAMES]).toEqual([
      'Arith.Add',
      'Arith.Subtract',
      'Arith.Multiply',
      'Arith.Divide',
      'Arith.Mod',
      'Arith.Pow',
      'Arith.Sum',
    ]);
    for (const name of METHOD_NAMES) expect(typeof ARITH_METHODS.get(name)).toBe('function');
    expect(ARITH_METHODS.size).toBe(METHOD_NAMES.length);
  });

  it.each([
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'Arith.add',
    'arith.Add',
    'Add',
    '',
    null,
    undefined,
    42,
    {},
  ])('returns undefined for %p', (name) => {
    expect(ARITH_METHODS.get(name as string)).toBeUndefined();
  });
});

describe('params shapes in the method table', () => {
  it('says list for Sum, binary for the other Arith methods, nothing for other names', () => {
    for (const name of ARITH_METHODS.keys())
      expect(paramsShape(name)).toBe(name === 'Arith.Sum' ? 'list' : 'binary');
    expect(paramsShape('Other.Sum')).toBeUndefined();
    expect(paramsShape('__proto__')).toBeUndefined();
  });
});
