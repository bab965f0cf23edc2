import { parseExact } from '../protocol/exact-json.js';
import { MAX_JSON_DEPTH } from '../protocol/json-scan.js';
import { RawNumber } from '../protocol/raw-number.js';
import { UsageError } from './options.js';

const INTEGER = /^-?\d+$/;

/**
 * parseCallParams turns `arith call` arguments into JSON-RPC params: one JSON argument (`'{"A":7,"B":8}'`
 * or `'[7,8]'`, big integers kept exact), or integers (`7 8`, `1 2 3`) sent positionally, as numbers
 * when safe and decimal strings otherwise. Throws UsageError for anything else.
 */
export function parseCallParams(args: string[]): unknown {
  if (args.length === 0) throw new UsageError('missing params: give a JSON value or integers, e.g. `7 8`');
  const first = args[0]!;
  if (args.length === 1 && /^\s*[[{]/.test(first)) {
    let value: unknown;
    try {
      value = parseExact(first);
    } catch {
      throw new UsageError(`params are not valid JSON: ${first.slice(0, 60)}`);
    }
    return toSafeWire(value);
  }
  return args.map((a, i) => {
    if (!INTEGER.test(a))
      throw new UsageError(`param ${i + 1} is not an integer: ${JSON.stringify(a.slice(0, 40))}`);
    const n = Number(a);
    return Number.isSafeInteger(n) ? n : a.replace(/^(-?)0+(?=\d)/, '$1');
  });
}

/**
 * toSafeWire turns params parsed exactly into what the wire carries: big integers (bigint) become
 * decimal strings, at any depth up to the node's MAX_JSON_DEPTH. Nothing internal is sent: a
 * number no integer rule takes exactly (RawNumber: `1e400`, `4503599627370496.5`) is refused as a
 * node words it, and so is a fraction (`1.5`; integers beyond ±(2^53−1) were read as bigints). `where` prefixes messages (a .jsonl line's `file:line: params`).
 * @throws UsageError for such numbers and for params nested deeper than MAX_JSON_DEPTH.
 */
export function toSafeWire(value: unknown, where = 'params', depth = 1): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof RawNumber) {
    throw new UsageError(`${where}: number ${value} cannot be read exactly; send a decimal integer`);
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new UsageError(`${where}: number ${value} is not an integer; send a decimal integer`);
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_JSON_DEPTH) throw new UsageError(`${where}: nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => toSafeWire(v, where, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toSafeWire(v, where, depth + 1)]));
}
