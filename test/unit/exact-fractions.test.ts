/**
 * Fractions and exponents are read from their decimal text, never from the double they round to
 * (adversary finding D1): a literal is an integer only if its text denotes exactly that integer.
 */
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/node/dispatcher.js';
import { decimalInteger } from '../../src/protocol/decimal-integer.js';
import { parseExact } from '../../src/protocol/exact-json.js';
import { RawNumber } from '../../src/protocol/raw-number.js';
import { parseMessage, serializeResponse } from '../../src/protocol/wire.js';

/** Not exactly integers, though each one's double is. */
const NOT_INTEGERS = [
  '4503599627370496.5',
  '0.99999999999999999999',
  '1e-400',
  '-1E-324',
  '450359962737049.65e1',
  '1.0000000000000001',
  '9007199254740993.5',
];

describe('parseExact, fractions and exponents', () => {
  it('keeps a literal whose double is an integer its text is not as RawNumber', () => {
    for (const text of NOT_INTEGERS) {
      expect(parseExact(`[${text}]`), text).toEqual([new RawNumber(text)]);
      expect(parseExact(`{"A":${text}}`), text).toEqual({ A: new RawNumber(text) });
    }
  });

  it('reads a fraction or exponent that denotes an integer as exactly that integer', () => {
    expect(parseExact('[1.0,1e3,12.50e1,-0.0e5,1E+2,0e-99999]')).toEqual([1, 1000, 125, -0, 100, 0]);
    expect(parseExact('[9007199254740993.0,1e23,-12345678901234567890.000e1]')).toEqual([
      9007199254740993n,
      10n ** 23n,
      -123456789012345678900n,
    ]);
  });

  it('leaves other fractions numbers and digits in strings strings', () => {
    expect(parseExact('[1.5,0.1,-2.5e-3,"4503599627370496.5","1e-400"]')).toEqual([
      1.5,
      0.1,
      -0.0025,
      '4503599627370496.5',
      '1e-400',
    ]);
  });

  it('decimalInteger reads the text, never the double', () => {
    expect(decimalInteger('9007199254740993.000')).toBe(9007199254740993n);
    expect(decimalInteger('00012.50e1')).toBe(125n);
    expect(decimalInteger('4503599627370496.5')).toBeUndefined();
    expect(decimalInteger('1e-400')).toBeUndefined();
    expect(decimalInteger('-0.000e-7')).toBe(0n);
  });
});

describe('Dispatcher refuses numbers that are not exactly integers', () => {
  const d = new Dispatcher();
  const answer = async (text: string): Promise<string> => {
    const parsed = parseMessage(text);
    if (!parsed.ok) throw new Error('not JSON');
    const { response, exact } = await d.handle(parsed.message, { deadline: Date.now() + 5_000 });
    return serializeResponse(response, exact);
  };

  it('answers -32602 in 2.0 and 1.0, quoting the literal', async () => {
    for (const n of NOT_INTEGERS) {
      const two = JSON.parse(
        await answer(`{"jsonrpc":"2.0","id":1,"method":"Arith.Add","params":{"A":${n},"B":0}}`),
      );
      expect(two.error, n).toEqual({
        code: -32602,
        message: `A: number ${n} cannot be read exactly; send a decimal integer`,
      });
      const one = JSON.parse(await answer(`{"id":1,"method":"Arith.Add","params":[{"A":${n},"B":0}]}`));
      expect([one.result, one.error], n).toEqual([
        null,
        `A: number ${n} cannot be read exactly; send a decimal integer`,
      ]);
    }
  });

  it('computes 9007199254740993.0 exactly in 1.0 and refuses it as unsafe in 2.0', async () => {
    expect(await answer('{"id":1,"method":"Arith.Add","params":[{"A":9007199254740993.0,"B":0}]}')).toBe(
      '{"id":1,"error":null,"result":9007199254740993}',
    );
    expect(
      await answer('{"jsonrpc":"2.0","id":1,"method":"Arith.Add","params":[9007199254740993.0,0]}'),
    ).toMatch(/"code":-32602,"message":"params\[0\]: 9007199254740993 is not a safe integer/);
    expect(await answer('{"jsonrpc":"2.0","id":1,"method":"Arith.Add","params":[1.0,12.50e1]}')).toBe(
      '{"jsonrpc":"2.0","id":1,"result":126}',
    );
  });
});
