/**
 * The examples of section 7 of the JSON-RPC 2.0 specification (jsonrpc.org/specification), as sent
 * and as answered, with the methods they call. `response: undefined` is the spec's "nothing".
 */
import type { RpcMethod } from '../../src/node/dispatcher.js';

/** SpecExample is one request of section 7 and the response the spec shows for it. */
export interface SpecExample {
  name: string;
  request: string;
  response: unknown;
}

const r = (id: unknown, result: unknown) => ({ jsonrpc: '2.0', result, id });
const e = (id: unknown, code: number) => ({ jsonrpc: '2.0', error: { code }, id });

/** SPEC_EXAMPLES lists every example of section 7, in order. */
export const SPEC_EXAMPLES: readonly SpecExample[] = [
  {
    name: 'positional 1',
    request: '{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}',
    response: r(1, 19),
  },
  {
    name: 'positional 2',
    request: '{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}',
    response: r(2, -19),
  },
  {
    name: 'named 1',
    request: '{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}',
    response: r(3, 19),
  },
  {
    name: 'named 2',
    request: '{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}',
    response: r(4, 19),
  },
  {
    name: 'notification 1',
    request: '{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}',
    response: undefined,
  },
  { name: 'notification 2', request: '{"jsonrpc": "2.0", "method": "foobar"}', response: undefined },
  {
    name: 'non-existent method',
    request: '{"jsonrpc": "2.0", "method": "foobar", "id": "1"}',
    response: e('1', -32601),
  },
  {
    name: 'invalid JSON',
    request: '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]',
    response: e(null, -32700),
  },
  {
    name: 'invalid Request object',
    request: '{"jsonrpc": "2.0", "method": 1, "params": "bar"}',
    response: e(null, -32600),
  },
  {
    name: 'batch, invalid JSON',
    request:
      '[\n  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},\n  {"jsonrpc": "2.0", "method"\n]',
    response: e(null, -32700),
  },
  { name: 'empty Array', request: '[]', response: e(null, -32600) },
  { name: 'invalid batch, not empty', request: '[1]', response: [e(null, -32600)] },
  {
    name: 'invalid batch',
    request: '[1,2,3]',
    response: [e(null, -32600), e(null, -32600), e(null, -32600)],
  },
  {
    name: 'batch',
    request: `[
      {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
      {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
      {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
      {"foo": "boo"},
      {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
      {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]`,
    response: [r('1', 7), r('2', 19), e(null, -32600), e('5', -32601), r('9', ['hello', 5])],
  },
  {
    name: 'batch of notifications',
    request: `[
      {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
      {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]`,
    response: undefined,
  },
];

/** SPEC_METHODS are the methods the examples call (`foobar`, `foo.get` and `notify_sum` do not exist). */
export const SPEC_METHODS: ReadonlyMap<string, RpcMethod> = new Map<string, RpcMethod>([
  [
    'subtract',
    (p) => {
      if (Array.isArray(p)) return (p[0] as number) - (p[1] as number);
      const named = p as { minuend: number; subtrahend: number };
      return named.minuend - named.subtrahend;
    },
  ],
  ['sum', (p) => (p as number[]).reduce((a, b) => a + b, 0)],
  ['update', () => null],
  ['notify_hello', () => null],
  ['get_data', () => ['hello', 5]],
]);

/**
 * toArith rewrites an example for a real node, which serves only Arith: `subtract` → Arith.Subtract
 * (named params as A and B), `sum`, `update` and `notify_hello` → Arith.Sum, `get_data` →
 * Arith.Sum of [2, 3]. Its answer to get_data is then 5 instead of ["hello", 5].
 */
export function toArith(example: SpecExample): SpecExample {
  const request = example.request
    .replace(/"subtrahend": (\d+), "minuend": (\d+)/, '"B": $1, "A": $2')
    .replace(/"minuend": (\d+), "subtrahend": (\d+)/, '"A": $1, "B": $2')
    .replaceAll('"subtract"', '"Arith.Subtract"')
    .replace(/"(sum|update|notify_hello)"/g, '"Arith.Sum"')
    .replace('"get_data"', '"Arith.Sum", "params": [2, 3]');
  const response = JSON.parse(
    JSON.stringify(example.response ?? null).replace('["hello",5]', '5'),
  ) as unknown;
  return { ...example, request, response: example.response === undefined ? undefined : response };
}

/** withoutMessages drops each error's message (the spec fixes codes, not texts) for comparing. */
export function withoutMessages(response: unknown): unknown {
  const strip = (x: unknown): unknown => {
    const o = x as { error?: { code: number } };
    return o && typeof o === 'object' && o.error ? { ...o, error: { code: o.error.code } } : x;
  };
  return Array.isArray(response) ? response.map(strip) : strip(response);
}
