import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/node/dispatcher.js';
import { parseExact, stringifyExact } from '../../src/protocol/exact-json.js';
import { exceedsDepth, MAX_JSON_DEPTH } from '../../src/protocol/json-scan.js';
import { RawNumber } from '../../src/protocol/raw-number.js';
import { parseMessage, serializeResponse } from '../../src/protocol/wire.js';

const nest = (d: number, inner = '') => '['.repeat(d) + inner + ']'.repeat(d);

describe('nesting bound', () => {
  it('counts brackets outside strings only, without recursion', () => {
    expect(exceedsDepth(nest(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsDepth(nest(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(exceedsDepth(`["${'['.repeat(10_000)}"]`)).toBe(false);
    expect(exceedsDepth(`["\\"${'['.repeat(200)}"]`)).toBe(false);
    expect(exceedsDepth(nest(1_000_000))).toBe(true);
  });

  it('parseMessage refuses deep text with -32600 before parsing, and bad JSON with -32700', () => {
    expect(parseMessage(nest(200_000))).toMatchObject({
      ok: false,
      reason: 'nesting_too_deep',
      response: { id: null, error: { code: -32600 } },
    });
    expect(parseMessage('{"a":')).toMatchObject({
      ok: false,
      reason: 'parse_error',
      response: { error: { code: -32700 } },
    });
    expect(parseMessage(nest(100, '1'))).toMatchObject({ ok: true });
  });
});

describe('exact numbers no JavaScript value holds', () => {
  it('reads overflowing and over-long literals as RawNumber and writes their text back', () => {
    const text = `{"a":1e400,"b":-1E+999,"c":18446744073709551616,"d":"1e400","e":1.5e3,"f":${'9'.repeat(20_001)}}`;
    const v = parseExact(text) as Record<string, unknown>;
    expect(v.a).toEqual(new RawNumber('1e400'));
    expect(v.c).toBe(18446744073709551616n);
    expect([v.d, v.e]).toEqual(['1e400', 1500]);
    expect(v.f).toBeInstanceOf(RawNumber);
    expect(stringifyExact(v)).toBe(text.replace('1.5e3', '1500'));
    expect(() => JSON.stringify(v)).toThrow(TypeError);
    expect(() => new RawNumber('1e')).toThrow(TypeError);
    expect(String(v.f)).toHaveLength('999999999999999999999999… (20001 characters)'.length);
  });
});

describe('Dispatcher, by the letter of JSON-RPC', () => {
  const d = new Dispatcher();
  const answer = async (text: string) => {
    const parsed = parseMessage(text);
    if (!parsed.ok) throw new Error('not JSON');
    const { response, exact } = await d.handle(parsed.message, { deadline: Date.now() + 5_000 });
    return response === undefined ? undefined : serializeResponse(response, exact);
  };

  it('answers id null, and only a request without id is a notification', async () => {
    expect(await answer('{"jsonrpc":"2.0","id":null,"method":"Arith.Add","params":[1,2]}')).toBe(
      '{"jsonrpc":"2.0","id":null,"result":3}',
    );
    expect(await answer('{"jsonrpc":"2.0","method":"Arith.Add","params":[1,2]}')).toBeUndefined();
    expect(await answer('{"jsonrpc":"2.0","method":1}')).toMatch(/"id":null,"error":\{"code":-32600/);
  });

  it('answers each non-object batch element with -32600 id null, and the valid ones', async () => {
    const text = await answer(
      '[[],[1],1e400,{"jsonrpc":"2.0","id":"x","method":"Arith.Add","params":[1,2]}]',
    );
    const list = JSON.parse(text ?? '[]') as Array<{ id: unknown; error?: { code: number } }>;
    expect(list.map((r) => [r.id, r.error?.code])).toEqual([
      [null, -32600],
      [null, -32600],
      [null, -32600],
      ['x', undefined],
    ]);
  });

  it('echoes ids exactly, keeps 1.0 ids on refusals, and quotes no huge input', async () => {
    for (const id of ['18446744073709551616', '1e400', '-0', '1.5', '"s"']) {
      expect(await answer(`{"jsonrpc":"2.0","id":${id},"method":"Arith.Add","params":[1,2]}`)).toBe(
        `{"jsonrpc":"2.0","id":${id},"result":3}`,
      );
    }
    expect(await answer('{"jsonrpc":"2.0","id":[1],"method":"Arith.Add","params":[1,2]}')).toMatch(
      /"id":null,"error":\{"code":-32600/,
    );
    expect(await answer('{"method":"Arith.Multiply","params":{"A":7,"B":8},"id":1}')).toBe(
      '{"id":1,"error":null,"result":56}',
    );
    expect(await answer('{"method":"Arith.Add","params":[1,2],"id":{"a":[-0,0,-1e-400]}}')).toBe(
      '{"id":{"a":[-0,0,-1e-400]},"error":null,"result":3}',
    );
    expect(await answer('{"method":["x"],"id":[2]}')).toBe(
      '{"id":[2],"error":"Invalid request: method must be a string","result":null}',
    );
    for (const n of ['9'.repeat(999_900), '9'.repeat(19_000), '1e400']) {
      for (const m of [
        `{"jsonrpc":"2.0","id":1,"method":"Arith.Add","params":[${n},1]}`,
        `{"method":"Arith.Add","params":[{"A":${n},"B":1}],"id":1}`,
      ]) {
        expect((await answer(m))?.length).toBeLessThan(250);
      }
    }
  });
});
