import { describe, expect, it } from 'vitest';
import { answerId, answersEqual } from '../../src/protocol/answer.js';

describe('the same answer', () => {
  it('is the same result whatever its member order or integer encoding', () => {
    expect(answersEqual({ result: { Quo: 3, Rem: 1 } }, { result: { Rem: 1, Quo: 3 } })).toBe(true);
    expect(answersEqual({ result: 56n }, { result: 56 })).toBe(true);
    expect(answersEqual({ result: 2n ** 64n }, { result: '18446744073709551616' })).toBe(true);
    expect(answerId({ result: { b: 1, a: 2 } })).toBe(answerId({ result: { a: 2, b: 1 } }));
  });

  it('tells different results, results from errors, and errors by code and message apart', () => {
    expect(answersEqual({ result: 56 }, { result: '56' })).toBe(false);
    expect(answersEqual({ result: 56 }, { result: 57 })).toBe(false);
    const dbz = { error: { code: 1001, message: 'divide by zero' } };
    expect(answersEqual(dbz, { error: { code: 1001, message: 'divide by zero' } })).toBe(true);
    expect(answersEqual(dbz, { error: { code: 1002, message: 'divide by zero' } })).toBe(false);
    expect(answersEqual(dbz, { error: { code: 1001, message: 'other' } })).toBe(false);
    expect(answersEqual(dbz, { result: 'e:1001:divide by zero' })).toBe(false);
    expect(answersEqual({ result: null }, dbz)).toBe(false);
  });

  it('reads an error object that carries more than code and message (a RemoteError)', () => {
    const remote = Object.assign(new Error('divide by zero'), { code: 1001, nodeId: 'n1' });
    expect(answerId({ error: remote })).toBe(answerId({ error: { code: 1001, message: 'divide by zero' } }));
  });
});
