import { describe, expect, it } from 'vitest';
import { answersEqual } from '../../src/protocol/answer.js';
import {
  makeRecord,
  parseResultRecord,
  type ResultRecord,
  sameAnswer,
  serializeResultRecord,
} from '../../src/results/result-record.js';
import { expectedAnswer } from '../../src/results/results-verify.js';

const base = {
  key: 'Arith.Multiply/abc',
  method: 'Arith.Multiply',
  params: { A: 7, B: 8 },
  nodes: ['n1'],
  verify: 'one' as const,
};

describe('result record schema v1', () => {
  it('round-trips a result and an error record', () => {
    const ok = makeRecord({ ...base, answer: { result: 56 }, job: 'j1' });
    expect(parseResultRecord(serializeResultRecord(ok))).toEqual(ok);
    const err = makeRecord({
      ...base,
      method: 'Arith.Divide',
      answer: { error: { code: 1001, message: 'divide by zero' } },
    });
    const parsed = parseResultRecord(serializeResultRecord(err)) as ResultRecord;
    expect(parsed.error).toEqual({ code: 1001, message: 'divide by zero' });
    expect('result' in parsed).toBe(false);
    expect(parsed.job).toBeUndefined();
  });

  it('writes members in a fixed order', () => {
    const text = serializeResultRecord(makeRecord({ ...base, answer: { result: 56 } }));
    expect(Object.keys(JSON.parse(text))).toEqual([
      'v',
      'key',
      'method',
      'params',
      'result',
      'nodes',
      'verify',
      'storedAt',
    ]);
  });

  it('refuses values that are not v1 records, saying why', () => {
    const ok = JSON.parse(serializeResultRecord(makeRecord({ ...base, answer: { result: 56 } })));
    expect(parseResultRecord('nope')).toEqual(new Error('not JSON'));
    expect(parseResultRecord(JSON.stringify({ ...ok, v: 2 }))).toBeInstanceOf(Error);
    expect(parseResultRecord(JSON.stringify({ ...ok, key: '/x' }))).toBeInstanceOf(Error);
    expect(parseResultRecord(JSON.stringify({ ...ok, verify: 'some' }))).toBeInstanceOf(Error);
    const both = parseResultRecord(JSON.stringify({ ...ok, error: { code: 1, message: 'x' } }));
    expect((both as Error).message).toMatch(/exactly one of result and error/);
    const { result: _r, ...neither } = ok;
    expect(parseResultRecord(JSON.stringify(neither))).toBeInstanceOf(Error);
  });

  it('agrees on the same computation and answer, whatever the nodes, mode or time', () => {
    const a = makeRecord({ ...base, answer: { result: 56 } });
    const b = {
      ...makeRecord({ ...base, answer: { result: 56 }, job: 'j' }),
      nodes: [],
      verify: 'all' as const,
    };
    expect(sameAnswer(a, b)).toBe(true);
    expect(sameAnswer(a, { ...a, result: 57 })).toBe(false);
    expect(sameAnswer(a, { ...a, params: { A: 8, B: 7 } })).toBe(false);
    expect(sameAnswer(a, { ...a, method: 'Arith.Add' })).toBe(false);
    const { result: _r, ...noResult } = a;
    expect(sameAnswer(a, { ...noResult, error: { code: 1001, message: 'divide by zero' } })).toBe(false);
  });
});

describe('local verification', () => {
  it('computes the answer a node gives, errors included', () => {
    expect(expectedAnswer('Arith.Multiply', { A: 7, B: 8 })).toEqual({ result: 56 });
    expect(expectedAnswer('Arith.Multiply', { A: '9007199254740993', B: 2 })).toEqual({
      result: '18014398509481986',
    });
    expect(expectedAnswer('Arith.Divide', { A: -7, B: 2 })).toEqual({ result: { Quo: -3, Rem: -1 } });
    expect(expectedAnswer('Arith.Divide', { A: 1, B: 0 })).toEqual({
      error: { code: 1001, message: 'divide by zero' },
    });
    expect(expectedAnswer('Other.Method', {})).toBeUndefined();
  });

  it('compares stored answers exactly', () => {
    const r = makeRecord({ ...base, answer: { result: 56 } });
    expect(answersEqual(r, { result: 56 })).toBe(true);
    expect(answersEqual(r, { result: '56' })).toBe(false);
    expect(answersEqual(r, { error: { code: 1001, message: 'divide by zero' } })).toBe(false);
  });
});

describe('serializeResultRecord', () => {
  it('writes the same JSON as JSON.stringify for any mix of repeated and changing members', () => {
    const odd = ['n"1', 'nœud-2', 'n\\3', 'n1'];
    for (let i = 0; i < 200; i++) {
      const r = makeRecord(
        {
          key: `k/${i % 3}`,
          method: i % 5 === 0 ? 'Arith.Add' : 'Arith.Multiply',
          params: { A: i, B: `${i}9007199254740993` },
          answer: i % 7 === 0 ? { error: { code: 1001, message: 'divide "by" zero' } } : { result: i * 3 },
          nodes: i % 4 === 3 ? ['a', 'b'] : [odd[i % odd.length]!],
          verify: i % 2 ? 'one' : 'quorum',
          ...(i % 3 ? { job: `job-${i % 2}` } : {}),
        },
        i % 6 ? '2026-11-22T01:00:00.000Z' : new Date(i).toISOString(),
      );
      expect(JSON.parse(serializeResultRecord(r))).toEqual(JSON.parse(JSON.stringify(r)));
    }
  });
});
