/**
 * Seeded fuzz cases for a node: valid JSON-RPC requests (2.0 and 1.0, single and batched) and their
 * mutations (bit flips, truncation, stray bytes: NUL, invalid UTF-8, brackets), deep nesting of
 * ids, params and batches, huge and odd numbers (`1e400`, `-0`, `0x10`, 999,900 digits), long
 * strings, duplicate and `__proto__` keys. The same seed always gives the same cases.
 */
import fc from 'fast-check';
import { METHOD_NAMES } from '../../src/arith/methods.js';

const ODD_METHODS = ['Arith.Nope', '__proto__', 'toString', 'rpc.deadline', '', 'arith.add'];
const ODD_NUMBERS = [
  ...[
    '1e400',
    '-1e400',
    '-0',
    '0x10',
    '1E+999',
    '18446744073709551616',
    '-9223372036854775809',
    '9223372036854775807',
  ],
  ...[
    '0.1',
    '1.5e308',
    '1e-400',
    '-1e-400',
    'NaN',
    'Infinity',
    '01',
    '1.',
    '.5',
    '+1',
    '1e',
    '9'.repeat(400),
  ],
];

const json = (s: string) => JSON.stringify(s);
const nest = (depth: number, inner: string, open = '[', close = ']') =>
  open.repeat(depth) + inner + close.repeat(depth);

const numberText = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom(...ODD_NUMBERS),
);
const stringText = fc.oneof(
  fc.string({ maxLength: 12 }).map(json),
  fc.string({ unit: 'binary', maxLength: 12 }).map(json),
  fc.constantFrom('\u0000', '\ud800', 'x'.repeat(5_000), '__proto__', '9007199254740993').map(json),
);
const keyText = fc.oneof(
  fc.constantFrom('"A"', '"B"', '"Values"', '"__proto__"', '"id"', '"jsonrpc"'),
  stringText,
);
const leaf = fc.oneof(numberText, stringText, fc.constantFrom('null', 'true', 'false'));

/** valueText: any JSON text, a few levels deep. */
const { value: valueText } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: false }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }).map((a) => `[${a.join(',')}]`),
  object: fc
    .array(fc.tuple(keyText, tie('value')), { maxLength: 4 })
    .map((kv) => `{${kv.map(([k, v]) => `${k}:${v}`).join(',')}}`),
}));

const operand = fc.oneof(
  { weight: 4, arbitrary: numberText },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((n) => json(String(n))) },
  { weight: 1, arbitrary: valueText },
);
const paramsText = fc.oneof(
  fc.tuple(operand, operand).map(([a, b]) => `[${a},${b}]`),
  fc.tuple(operand, operand).map(([a, b]) => `{"A":${a},"B":${b}}`),
  fc.tuple(operand, operand).map(([a, b]) => `[{"A":${a},"B":${b}}]`),
  fc.array(operand, { maxLength: 6 }).map((v) => `{"Values":[${v.join(',')}]}`),
  valueText,
);
const idText = fc.oneof(
  fc.integer().map(String),
  stringText,
  fc.constant('null'),
  fc.constantFrom(...ODD_NUMBERS),
  valueText,
);
const methodText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...METHOD_NAMES).map(json) },
  { weight: 1, arbitrary: fc.constantFrom(...ODD_METHODS).map(json) },
  { weight: 1, arbitrary: valueText },
);

/** requestText: a request object whose members may be missing, odd, duplicated or in any order. */
const requestText = fc
  .record({
    jsonrpc: fc.oneof(
      { weight: 8, arbitrary: fc.constant('"2.0"') },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('"1.0"', '2', 'null', '"2.0 "') },
    ),
    id: fc.oneof({ weight: 6, arbitrary: idText }, { weight: 1, arbitrary: fc.constant(undefined) }),
    method: fc.oneof({ weight: 12, arbitrary: methodText }, { weight: 1, arbitrary: fc.constant(undefined) }),
    params: fc.oneof({ weight: 8, arbitrary: paramsText }, { weight: 1, arbitrary: fc.constant(undefined) }),
    extra: fc.array(fc.tuple(keyText, valueText), { maxLength: 2 }),
  })
  .chain((r) => {
    const members = (['jsonrpc', 'id', 'method', 'params'] as const)
      .filter((k) => r[k] !== undefined)
      .map((k) => `"${k}":${r[k]}`)
      .concat(r.extra.map(([k, v]) => `${k}:${v}`));
    return fc.shuffledSubarray(members, { minLength: members.length }).map((m) => `{${m.join(',')}}`);
  });

const batchText = fc
  .array(fc.oneof({ weight: 5, arbitrary: requestText }, { weight: 1, arbitrary: valueText }), {
    maxLength: 12,
  })
  .map((a) => `[${a.join(',')}]`);

const STRAY = [0x00, 0xff, 0xc3, 0x80, 0xed, 0xa0, 0x22, 0x5b, 0x5d, 0x7b, 0x7d, 0x2c, 0x3a, 0x5c, 0x0d];

/** mutate applies up to four byte-level mutations: bit flips, truncations and stray bytes. */
function mutated(text: fc.Arbitrary<string>): fc.Arbitrary<Buffer> {
  const op = fc.tuple(
    fc.constantFrom('flip', 'truncate', 'insert', 'delete'),
    fc.nat(),
    fc.nat(7),
    fc.constantFrom(...STRAY),
  );
  return fc.tuple(text, fc.array(op, { minLength: 1, maxLength: 4 })).map(([t, ops]) => {
    let b = Buffer.from(t);
    for (const [kind, at, bit, stray] of ops) {
      const i = b.length === 0 ? 0 : at % b.length;
      if (kind === 'flip' && b.length > 0) b[i] = (b[i] ?? 0) ^ (1 << bit);
      else if (kind === 'truncate') b = b.subarray(0, i);
      else if (kind === 'insert') b = Buffer.concat([b.subarray(0, i), Buffer.from([stray]), b.subarray(i)]);
      else b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
    }
    return b;
  });
}

const depth = fc.oneof(
  fc.integer({ min: 1, max: 6 }),
  fc.integer({ min: 120, max: 136 }),
  fc.integer({ min: 1_000, max: 5_000 }),
);
const deepText = fc.oneof(
  depth.map((d) => `{"method":"Arith.Add","params":[1,2],"id":${nest(d, '')}}`),
  depth.map((d) => `{"jsonrpc":"2.0","method":"Arith.Add","params":[1,2],"id":${nest(d, '')}}`),
  depth.map((d) => `{"jsonrpc":"2.0","method":"Arith.Sum","params":${nest(d, '1')},"id":1}`),
  depth.map((d) => `{"method":"Arith.Add","params":[1,2],"id":${nest(d, '1', '{"a":', '}')}}`),
  depth.map((d) => nest(d, '{"jsonrpc":"2.0","method":"Arith.Add","params":[1,2],"id":"deep"}')),
  depth.map((d) => `[${nest(d, '1')},{"jsonrpc":"2.0","method":"Arith.Add","params":[1,2],"id":"deep"}]`),
);
const hugeText = fc.oneof(
  fc
    .integer({ min: 1, max: 999_900 })
    .map((n) => `{"jsonrpc":"2.0","method":"Arith.Add","params":[${'7'.repeat(n)},1],"id":"h"}`),
  fc
    .integer({ min: 1, max: 999_900 })
    .map((n) => `{"method":"Arith.Add","params":[{"A":${'7'.repeat(n)},"B":1}],"id":"h"}`),
  fc
    .integer({ min: 1, max: 300_000 })
    .map((n) => `{"jsonrpc":"2.0","method":"Arith.Add","params":["${'7'.repeat(n)}",1],"id":"h"}`),
  fc
    .integer({ min: 1, max: 300_000 })
    .map((n) => `{"jsonrpc":"2.0","method":"Arith.Add","params":{"${'K'.repeat(n)}":1},"id":"h"}`),
  fc
    .integer({ min: 990, max: 1_010 })
    .map(
      (n) =>
        `[${Array.from({ length: n }, (_, i) => `{"jsonrpc":"2.0","method":"Arith.Add","params":[${i},1],"id":${i}}`).join(',')}]`,
    ),
);

/** CASE: one fuzz case as the bytes to send. */
const CASE: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: requestText.map((t) => Buffer.from(t)) },
  { weight: 4, arbitrary: mutated(requestText) },
  { weight: 3, arbitrary: batchText.map((t) => Buffer.from(t)) },
  { weight: 2, arbitrary: mutated(batchText) },
  { weight: 2, arbitrary: deepText.map((t) => Buffer.from(t)) },
  { weight: 1, arbitrary: mutated(deepText) },
  { weight: 1, arbitrary: hugeText.map((t) => Buffer.from(t)) },
  { weight: 1, arbitrary: valueText.map((t) => Buffer.from(t)) },
);

/**
 * fuzzCases returns `count` cases for `seed`. TCP cases are lines: a newline byte becomes a space and
 * an empty line (which the node skips) becomes `{}`.
 */
export function fuzzCases(seed: number, count: number, transport: 'http' | 'tcp'): Buffer[] {
  const cases = fc.sample(CASE, { seed, numRuns: count });
  if (transport === 'http') return cases;
  return cases.map((c) => {
    const line = Buffer.from(c.map((byte) => (byte === 10 ? 32 : byte)));
    return line.length === 0 || (line.length === 1 && line[0] === 13) ? Buffer.from('{}') : line;
  });
}
