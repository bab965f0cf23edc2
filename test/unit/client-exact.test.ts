import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DeadlineExceededError,
  errorFromRpc,
  isRetryable,
  QuorumError,
  RemoteError,
  TransportError,
} from '../../src/client/errors.js';
import { encodeParams, fromWire, toWire } from '../../src/client/exact.js';
import { toWireValue } from '../../src/protocol/canonical-json.js';
import { parseExact } from '../../src/protocol/exact-json.js';
import { RawNumber } from '../../src/protocol/raw-number.js';

describe('typed helper wire encoding', () => {
  it('sends safe integers as numbers and others as decimal strings, exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }), (n) => {
        const wire = toWire(n);
        const safe = n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= -BigInt(Number.MAX_SAFE_INTEGER);
        expect(typeof wire).toBe(safe ? 'number' : 'string');
        expect(fromWire(wire)).toBe(n);
      }),
    );
  });

  it('refuses unsafe numbers and non-integers instead of sending a wrong value', () => {
    expect(() => toWire(2 ** 53, 'A')).toThrow(/A: 9007199254740992 is not a safe integer/);
    expect(() => toWire(1.5)).toThrow(TypeError);
    expect(() => toWire('1e3')).toThrow(/not an integer/);
    expect(() => fromWire(1.5)).toThrow(TypeError);
    expect(() => fromWire(null)).toThrow(TypeError);
  });

  it('encodes bigints inside the Arith param shapes and leaves plain params untouched', () => {
    const plain = { A: 7, B: 8 };
    expect(encodeParams(plain)).toBe(plain);
    expect(encodeParams({ A: 9007199254740993n, B: 3n })).toEqual({ A: '9007199254740993', B: 3 });
    expect(encodeParams([{ A: 1n, B: 2n }])).toEqual([{ A: 1, B: 2 }]);
    expect(encodeParams({ Values: [1n, 2n ** 64n] })).toEqual({ Values: [1, '18446744073709551616'] });
  });
});

describe('errorFromRpc', () => {
  it('maps JSON-RPC errors to one class per condition with the right retryable flag', () => {
    const dz = errorFromRpc({ code: 1001, message: 'divide by zero' }, 'n1', 1000);
    expect(dz).toBeInstanceOf(RemoteError);
    expect(dz).toMatchObject({ code: 1001, message: 'divide by zero', nodeId: 'n1', retryable: false });
    expect(errorFromRpc({ code: -32602, message: 'A: bad' }, 'n1', 1000).retryable).toBe(false);
    expect(errorFromRpc({ code: -32601, message: 'Method not found' }, 'n1', 1000).retryable).toBe(false);
    expect(errorFromRpc({ code: -32002, message: 'shutting down' }, 'n1', 1000).retryable).toBe(true);
    expect(errorFromRpc({ code: -32603, message: 'Internal error' }, 'n1', 1000).retryable).toBe(true);
    const deadline = errorFromRpc({ code: -32001, message: 'deadline exceeded' }, 'n1', 250);
    expect(deadline).toBeInstanceOf(DeadlineExceededError);
    expect(deadline.message).toMatch(/250 ms/);
    expect(errorFromRpc('garbage', 'n1', 1)).toMatchObject({ code: -32603, message: 'malformed error' });
  });

  it('says which errors another attempt may fix', () => {
    expect(isRetryable(new TransportError('ECONNREFUSED', 'n1', 'refused'))).toBe(true);
    expect(isRetryable(new DeadlineExceededError(5))).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(false);
    const q = new QuorumError(2, [
      { nodeId: 'a', result: 56 },
      { nodeId: 'b', result: 57 },
    ]);
    expect(q.message).toBe('quorum of 2 not reached: a=56, b=57');
    expect(q.name).toBe('QuorumError');
  });
});

describe('encodeParams refuses numbers that are not exactly integers (D1)', () => {
  it('throws TypeError naming the param for fractions, NaN, ±Infinity and unsafe numbers', () => {
    expect(() => encodeParams([2 ** 53 + 2, 0])).toThrow(
      new TypeError('params[0]: 9007199254740994 is not a safe integer; pass a bigint or a decimal string'),
    );
    expect(() => encodeParams({ A: 1.5, B: 0 })).toThrow(/^params\.A: 1\.5 is not a safe integer/);
    expect(() => encodeParams([{ A: 0, B: Number.NaN }])).toThrow(/^params\[0\]\.B: NaN/);
    expect(() => encodeParams({ Values: [1, Number.POSITIVE_INFINITY] })).toThrow(
      /^params\.Values\[1\]: Infinity/,
    );
    expect(() => encodeParams(0.5)).toThrow(TypeError);
  });

  it('never sends a RawNumber as its internal object', () => {
    const params = parseExact('[1e400,4503599627370496.5]');
    expect(() => encodeParams(params)).toThrow(
      new TypeError('params[0]: number 1e400 cannot be read exactly; pass a bigint or a decimal string'),
    );
    expect(() => toWireValue({ A: new RawNumber('1e400') })).toThrow(/number 1e400 cannot be stored exactly/);
  });

  it('leaves safe integers, -0 and bigints exact', () => {
    expect(encodeParams([2 ** 53 - 1, -0, 2n ** 53n + 1n])).toEqual([2 ** 53 - 1, -0, '9007199254740993']);
  });
});
