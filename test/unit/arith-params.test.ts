import { describe, expect, it } from 'vitest';
import {
  ARITH_METHODS,
  binaryArgs,
  DEFAULT_ARITH_LIMITS,
  InvalidParamsError,
  listArgs,
} from '../../src/arith/index.js';

function invalid(fn: () => unknown): InvalidParamsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect((err as InvalidParamsError).code).toBe(-32602);
    return err as InvalidParamsError;
  }
  throw new Error('expected InvalidParamsError, nothing was thrown');
}

describe('binaryArgs', () => {
  it('accepts the three shapes', () => {
    expect(binaryArgs({ A: 7, B: 8 })).toEqual({ A: 7n, B: 8n });
    expect(binaryArgs([{ A: 7, B: '8' }])).toEqual({ A: 7n, B: 8n });
    expect(binaryArgs([7, 8])).toEqual({ A: 7n, B: 8n });
    expect(binaryArgs(JSON.parse('{"B":"-9007199254740993","A":1}'))).toEqual({
      A: 1n,
      B: -9007199254740993n,
    });
    const nullProto = Object.assign(Object.create(null) as object, { A: 1, B: 2 });
    expect(binaryArgs(nullProto)).toEqual({ A: 1n, B: 2n });
  });

  const badParams: [string, unknown, RegExp][] = [
    ['missing B', { A: 1 }, /^missing param B$/],
    ['missing A', { B: 1 }, /^missing param A$/],
    ['lowercase keys', { a: 1, b: 2 }, /^missing param A$/],
    ['extra C', { A: 1, B: 2, C: 3 }, /^unexpected param C$/],
    ['extra C in Go shape', [{ A: 1, B: 2, C: 3 }], /^unexpected param C$/],
    ['own __proto__ key', JSON.parse('{"A":1,"B":2,"__proto__":{"x":1}}'), /^unexpected param __proto__$/],
    ['__proto__ supplying A', JSON.parse('{"__proto__":{"A":1},"B":2}'), /^missing param A$/],
    ['inherited A and B', Object.create({ A: 1, B: 2 }), /^missing param A$/],
    ['1 positional', [1], /positional.*got 1/],
    ['3 positional', [1, 2, 3], /positional.*got 3/],
    ['object in positional pair', [{ A: 1, B: 2 }, 3], /^A: expected an integer, got an object$/],
    ['empty array', [], /positional.*got 0/],
    ['null params', null, /^missing params/],
    ['undefined params', undefined, /^missing params/],
    ['string params', '7,8', /^params: .*got a string/],
    ['number params', 7, /^params: .*got 7/],
    ['A wrong type', { A: 'seven', B: 1 }, /^A: /],
    ['A = 1.5', { A: 1.5, B: 1 }, /^A: expected an integer, got 1\.5$/],
    ['B = NaN', { A: 1, B: Number.NaN }, /^B: expected an integer, got NaN$/],
    [
      'A = 2**53',
      { A: 2 ** 53, B: 1 },
      /^A: 9007199254740992 is not a safe integer; send .* as decimal strings$/,
    ],
    ['B = "1e3"', { A: 1, B: '1e3' }, /^B: /],
    ['A = " 12"', [' 12', 1], /^A: /],
    ['B = ""', [1, ''], /^B: /],
    ['A = 5000 digits', { A: '9'.repeat(5000), B: 1 }, /^A: .*5000 digits/],
    ['B = true', { A: 1, B: true }, /^B: expected an integer, got true$/],
    ['A = null', { A: null, B: 1 }, /^A: expected an integer, got null$/],
    ['B = {}', { A: 1, B: {} }, /^B: expected an integer, got an object$/],
  ];

  it.each(badParams)('rejects %s', (_label, params, message) => {
    for (const name of ['Arith.Add', 'Arith.Multiply', 'Arith.Divide', 'Arith.Pow']) {
      const method = ARITH_METHODS.get(name)!;
      expect(invalid(() => method(params, DEFAULT_ARITH_LIMITS)).message).toMatch(message);
    }
  });

  it('does not echo a huge string back', () => {
    const e = invalid(() => binaryArgs({ A: `x${'1'.repeat(100_000)}`, B: 1 }));
    expect(e.message.length).toBeLessThan(200);
  });
});

describe('listArgs', () => {
  it('accepts the three shapes and the empty list', () => {
    expect(listArgs({ Values: [1, 2, '3'] })).toEqual([1n, 2n, 3n]);
    expect(listArgs([{ Values: [1, 2, '3'] }])).toEqual([1n, 2n, 3n]);
    expect(listArgs([1, 2, '3'])).toEqual([1n, 2n, 3n]);
    expect(listArgs([])).toEqual([]);
    expect(listArgs({ Values: [] })).toEqual([]);
  });

  it.each([
    ['bad element', { Values: [1, 2, 3, true] }, /^Values\[3\]: expected an integer, got true$/],
    ['bad positional element', [1, 1.5], /^Values\[1\]: expected an integer, got 1\.5$/],
    [
      'object among positional values',
      [{ Values: [1] }, 2],
      /^Values\[0\]: expected an integer, got an object$/,
    ],
    ['Values not array', { Values: 3 }, /^Values: expected an array/],
    ['missing Values', {}, /^missing param Values$/],
    ['extra key', { Values: [], Extra: 1 }, /^unexpected param Extra$/],
    ['null', null, /^missing params/],
    ['too long', { Values: new Array(10_001).fill(1) }, /10001 values.*10000/],
  ])('rejects %s', (_label, params, message) => {
    expect(invalid(() => listArgs(params)).message).toMatch(message);
  });

  it('accepts exactly maxListLength values', () => {
    expect(listArgs(new Array(10_000).fill(1))).toHaveLength(10_000);
  });
});
