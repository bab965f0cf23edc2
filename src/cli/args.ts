import { parseExact } from '../protocol/exact-json.js';
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

/** toSafeWire turns big integers parsed exactly (bigint) into decimal strings, at any depth. */
export function toSafeWire(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toSafeWire);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toSafeWire(v)]));
  }
  return value;
}
