import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidParamsError } from '../../src/arith/errors.js';
import {
  canonicalJson,
  checkKey,
  deriveKey,
  keyProblem,
  toWireValue,
  wireParams,
} from '../../src/results/result-key.js';

describe('result key validation', () => {
  it('accepts keys of the allowed characters, 1-512 long', () => {
    for (const key of ['a', 'Arith.Multiply/abc', 'job:7@x=y+z-1_2', 'a/b/c', 'x'.repeat(512)]) {
      expect(keyProblem(key)).toBeUndefined();
      expect(checkKey(key)).toBe(key);
    }
  });

  it('refuses empty, long, leading-slash, dot-dot and other characters, naming why', () => {
    expect(keyProblem('')).toMatch(/empty/);
    expect(keyProblem('x'.repeat(513))).toMatch(/513 characters/);
    expect(keyProblem('/a')).toMatch(/start with \//);
    expect(keyProblem('a/../b')).toMatch(/\.\./);
    for (const bad of ['a b', 'a\nb', 'ä', 'a*b', 'a?b', 'a#b', 'a\0b'])
      expect(keyProblem(bad)).toMatch(/only contain/);
    expect(() => checkKey('a b')).toThrow(TypeError);
  });
});

describe('derived keys', () => {
  it('are the method, a slash and 40 hex digits', () => {
    expect(deriveKey('Arith.Multiply', { A: 7, B: 8 })).toMatch(/^Arith\.Multiply\/[0-9a-f]{40}$/);
  });

  it('are the same for the three Arith param shapes and every integer spelling', () => {
    const key = deriveKey('Arith.Multiply', { A: 7, B: 8 });
    expect(deriveKey('Arith.Multiply', { B: 8, A: 7 })).toBe(key);
    expect(deriveKey('Arith.Multiply', [7, 8])).toBe(key);
    expect(deriveKey('Arith.Multiply', [{ A: 7, B: 8 }])).toBe(key);
    expect(deriveKey('Arith.Multiply', { A: 7n, B: '8' })).toBe(key);
    expect(deriveKey('Arith.Multiply', { A: '007', B: 8 })).toBe(key);
    expect(deriveKey('Arith.Sum', { Values: [1, 2, 3] })).toBe(deriveKey('Arith.Sum', [1n, '2', 3]));
  });

  it('differ between methods and between operands', () => {
    const key = deriveKey('Arith.Multiply', { A: 7, B: 8 });
    expect(deriveKey('Arith.Add', { A: 7, B: 8 })).not.toBe(key);
    expect(deriveKey('Arith.Multiply', { A: 8, B: 7 })).not.toBe(key);
    expect(deriveKey('Arith.Sum', [1, 2, 3])).not.toBe(deriveKey('Arith.Sum', [3, 2, 1]));
  });

  it('agree for any bigint whether given as bigint, decimal string or (when safe) number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }), fc.bigInt(), (a, b) => {
        const key = deriveKey('Arith.Pow', { A: a, B: b });
        expect(deriveKey('Arith.Pow', [a.toString(), b.toString()])).toBe(key);
        const safe = a >= BigInt(Number.MIN_SAFE_INTEGER) && a <= BigInt(Number.MAX_SAFE_INTEGER);
        if (safe) expect(deriveKey('Arith.Pow', [{ A: Number(a), B: b }])).toBe(key);
      }),
    );
  });

  it('refuse invalid Arith params instead of storing them', () => {
    expect(() => deriveKey('Arith.Multiply', { A: 1.5, B: 2 })).toThrow(InvalidParamsError);
    expect(() => deriveKey('Arith.Multiply', { A: 1, B: 2, C: 3 })).toThrow(InvalidParamsError);
    expect(() => deriveKey('Arith.Divide', [1])).toThrow(InvalidParamsError);
  });

  it('use canonical JSON as is for methods that are not Arith methods', () => {
    expect(deriveKey('Other.Method', { b: 1, a: [2, { d: 4, c: 3 }] })).toBe(
      deriveKey('Other.Method', { a: [2, { c: 3, d: 4 }], b: 1 }),
    );
    expect(deriveKey('Other.Method', [7, 8])).not.toBe(deriveKey('Other.Method', { A: 7, B: 8 }));
    expect(() => deriveKey('bad method', {})).toThrow(TypeError);
  });
});

describe('wire params and canonical JSON', () => {
  it('store Arith params in the named shape with wire integers', () => {
    expect(wireParams('Arith.Multiply', [7, 8])).toEqual({ A: 7, B: 8 });
    expect(wireParams('Arith.Add', [{ A: 2n ** 70n, B: '-5' }])).toEqual({
      A: (2n ** 70n).toString(),
      B: -5,
    });
    expect(wireParams('Arith.Sum', [1, 2n])).toEqual({ Values: [1, 2] });
  });

  it('sorts members, encodes bigints and keeps __proto__ as a member', () => {
    expect(canonicalJson({ b: 2n, a: [1, undefined], c: undefined })).toBe('{"a":[1,null],"b":2}');
    expect(canonicalJson(JSON.parse('{"__proto__": 1, "a": 2}'))).toBe('{"__proto__":1,"a":2}');
    expect(canonicalJson(-0)).toBe('0');
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => toWireValue(Number.NaN)).toThrow(TypeError);
    expect(() => toWireValue(() => 1)).toThrow(TypeError);
    const deep: unknown[] = [];
    let at = deep;
    for (let i = 0; i < 100; i++) {
      const next: unknown[] = [];
      at.push(next);
      at = next;
    }
    expect(() => toWireValue(deep)).toThrow(/deeper/);
  });
});
