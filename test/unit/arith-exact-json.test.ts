import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExact, stringifyExact } from '../../src/protocol/exact-json.js';
import { RawNumber } from '../../src/protocol/raw-number.js';

const UNSAFE = fc.oneof(
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 200n }),
  fc.bigInt({ min: -(2n ** 200n), max: -(2n ** 53n) }),
);

/** JSON values whose numbers survive a text round trip: no -0, no unsafe integer doubles. */
const leaf = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom('1', '2', '9', '0', '-', '"', '\\', ':', 'e', '.') }),
  fc.boolean(),
  fc.constant(null),
  fc.integer(),
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .filter((d) => !Object.is(d, -0) && !(Number.isInteger(d) && !Number.isSafeInteger(d))),
  UNSAFE,
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(
    fc.oneof(fc.string(), fc.constantFrom('__proto__', '12345678901234567890')),
    tie('value'),
    {
      maxKeys: 5,
    },
  ),
}));

/** hasUnsafeInteger reports an integer-valued double beyond ±(2^53−1) anywhere in `v`. */
function hasUnsafeInteger(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && !Number.isSafeInteger(v);
  if (typeof v !== 'object' || v === null) return false;
  return Object.values(v).some(hasUnsafeInteger);
}

describe('stringifyExact', () => {
  it('writes bigints as raw JSON numbers at any depth', () => {
    expect(stringifyExact(9007199254740993n)).toBe('9007199254740993');
    expect(stringifyExact({ a: [1n, -(2n ** 64n)], b: 'x' })).toBe('{"a":[1,-18446744073709551616],"b":"x"}');
    expect(stringifyExact({ Quo: 2n ** 63n - 1n, Rem: 0n })).toBe('{"Quo":9223372036854775807,"Rem":0}');
  });

  it('matches JSON.stringify when there is no bigint', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(stringifyExact(v)).toBe(JSON.stringify(v));
      }),
    );
    expect(stringifyExact({ a: undefined, b: [undefined], d: new Date(0) })).toBe(
      JSON.stringify({ a: undefined, b: [undefined], d: new Date(0) }),
    );
  });

  it('leaves strings that look like numbers alone', () => {
    expect(stringifyExact({ s: '123', n: 1n })).toBe('{"s":"123","n":1}');
  });

  it('reaches bigints in class instances, toJSON results and deep nesting', () => {
    class Point {
      constructor(
        readonly x: bigint,
        readonly y: number,
      ) {}
    }
    expect(stringifyExact({ p: new Point(2n ** 70n, 1) })).toBe('{"p":{"x":1180591620717411303424,"y":1}}');
    expect(stringifyExact([{ toJSON: () => 2n ** 64n }])).toBe('[18446744073709551616]');
    let deep: unknown = 2n ** 80n;
    for (let i = 0; i < 2000; i++) deep = [deep];
    const text = stringifyExact(deep);
    expect(text).toBe(`${'['.repeat(2000)}1208925819614629174706176${']'.repeat(2000)}`);
    let back = parseExact(text);
    for (let i = 0; i < 2000; i++) back = (back as unknown[])[0];
    expect(back).toBe(2n ** 80n);
  });

  it('copies instead of mutating, and keeps an own __proto__ key', () => {
    const input = JSON.parse('{"__proto__":{"a":1},"b":[1,2]}') as Record<string, unknown>;
    input.c = 2n ** 60n;
    (input.b as unknown[]).push(-(2n ** 60n));
    expect(stringifyExact(input)).toBe(
      '{"__proto__":{"a":1},"b":[1,2,-1152921504606846976],"c":1152921504606846976}',
    );
    expect(input.c).toBe(2n ** 60n);
    expect((input.b as unknown[])[2]).toBe(-(2n ** 60n));
  });

  it('restores Error.stackTraceLimit', () => {
    const before = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = 17;
      stringifyExact({ n: 1n });
      expect(Error.stackTraceLimit).toBe(17);
      stringifyExact({ n: 1 });
      expect(Error.stackTraceLimit).toBe(17);
    } finally {
      Error.stackTraceLimit = before;
    }
  });

  it('throws TypeError for cycles and unserializable values', () => {
    const cyc: Record<string, unknown> = { n: 1n };
    cyc.self = cyc;
    expect(() => stringifyExact(cyc)).toThrow(TypeError);
    expect(() => stringifyExact(undefined)).toThrow(TypeError);
  });
});

describe('parseExact', () => {
  it('returns unsafe integer literals as exact bigints', () => {
    expect(parseExact('9007199254740993')).toBe(9007199254740993n);
    expect(parseExact('{"A":9007199254740993,"B":-9223372036854775808}')).toEqual({
      A: 9007199254740993n,
      B: -9223372036854775808n,
    });
    expect(parseExact('[9007199254740991, -9007199254740991, 1000000000000000]')).toEqual([
      9007199254740991, -9007199254740991, 1000000000000000,
    ]);
    expect(
      parseExact(
        '[12345678901234567890.5, 12345678901234567890e2, 1.12345678901234567890, 1e-12345678901234567]',
      ),
    ).toEqual([
      new RawNumber('12345678901234567890.5'),
      1234567890123456789000n,
      1.1234567890123457,
      new RawNumber('1e-12345678901234567'),
    ]);
  });

  it('keeps digit runs inside strings as strings', () => {
    expect(parseExact('{"x":"12345678901234567890"}')).toEqual({ x: '12345678901234567890' });
    expect(parseExact('["a\\"12345678901234567890", 12345678901234567890]')).toEqual([
      'a"12345678901234567890',
      12345678901234567890n,
    ]);
    expect(parseExact('["\\\\", 12345678901234567890, "\\\\\\"12345678901234567890"]')).toEqual([
      '\\',
      12345678901234567890n,
      '\\"12345678901234567890',
    ]);
  });

  it('follows JSON.parse on duplicate keys', () => {
    expect(parseExact('{"a":12345678901234567890,"a":1}')).toEqual({ a: 1 });
    expect(parseExact('{"a":1,"a":12345678901234567890}')).toEqual({ a: 12345678901234567890n });
    expect(parseExact('{"a":12345678901234567890,"a":1,"b":-12345678901234567890}')).toEqual({
      a: 1,
      b: -12345678901234567890n,
    });
  });

  it('keeps an own __proto__ key as a plain property', () => {
    const v = parseExact('{"__proto__":12345678901234567890,"a":{"__proto__":[1]}}') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toBe(12345678901234567890n);
  });

  it.each([
    '',
    '{',
    '{"a":1',
    '{12345678901234567890:1}',
    '{12345678901234567890 :1}',
    '{"a":1,12345678901234567890\n:1}',
    '{"a":012345678901234567890}',
    '[012345678901234567890]',
    '[-012345678901234567890]',
    '[12345678901234567890.]',
    '[12345678901234567890',
    '["12345678901234567890]',
    '[1 12345678901234567890]',
    '[+12345678901234567890]',
    '[12345678901234567890,]',
    'x12345678901234567890',
    '"\\"12345678901234567890',
  ])('throws SyntaxError on malformed %p', (text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(() => parseExact(text)).toThrow(SyntaxError);
  });

  it('agrees with JSON.parse on text without unsafe integers', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        fc.pre(!hasUnsafeInteger(v));
        const text = JSON.stringify(v);
        expect(parseExact(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('round-trips values with bigints beyond the safe range', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(parseExact(stringifyExact(v))).toEqual(v);
      }),
      { numRuns: 500 },
    );
  });

  it('turns unsafe integer-valued doubles, in plain digits or with an exponent, into exact bigints', () => {
    expect(parseExact(JSON.stringify({ '': 2 ** 53 }))).toEqual({ '': 2n ** 53n });
    expect(parseExact(JSON.stringify([1e20, 1e21]))).toEqual([10n ** 20n, 10n ** 21n]);
  });

  it('round-trips a top-level unsafe integer', () => {
    fc.assert(
      fc.property(UNSAFE, (n) => {
        expect(parseExact(stringifyExact(n))).toBe(n);
        expect(parseExact(` ${n.toString()}\n`)).toBe(n);
      }),
    );
  });
});
