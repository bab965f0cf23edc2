import { RawNumber } from '../protocol/raw-number.js';
import { show } from '../util/check-options.js';

/** Integer is what typed helpers accept: a bigint, a safe-integer number, or a decimal string. */
export type Integer = bigint | number | string;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * toWire encodes an integer the way nodes expect it: a JSON number when it is safe, else a decimal
 * string. Throws TypeError for non-integers and unsafe numbers (which have already lost digits).
 */
export function toWire(value: Integer, name = 'value'): number | string {
  if (typeof value === 'bigint')
    return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value.toString();
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new TypeError(`${name}: ${value} is not a safe integer; pass a bigint or a decimal string`);
    }
    return value;
  }
  if (typeof value !== 'string') {
    throw new TypeError(`${name}: expected a bigint, a safe integer or a decimal string, got ${show(value)}`);
  }
  if (!/^-?\d+$/.test(value))
    throw new TypeError(`${name}: ${JSON.stringify(value.slice(0, 40))} is not an integer`);
  return value;
}

/** fromWire decodes an integer result (JSON number or decimal string) into a bigint. */
export function fromWire(value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`expected an integer result, got ${JSON.stringify(value)}`);
}

/**
 * encodeParams makes caller params wire-safe: bigints become numbers or decimal strings, down to the
 * depth of the Arith shapes (`{A, B}`, `[a, b]`, `{Values: [...]}`, `[{A, B}]`). A number that is
 * not a safe integer (1.5, NaN, 2**53 + 2: already rounded, or no integer) or a RawNumber from
 * `parseExact` is refused, never sent or stored rounded or as its internal object.
 * @throws TypeError naming the param (`params[0]`, `params.A`).
 */
export function encodeParams(params: unknown, path = 'params', depth = 0): unknown {
  if (typeof params === 'bigint' || typeof params === 'number') return toWire(params, path);
  if (params instanceof RawNumber) {
    throw new TypeError(
      `${path}: number ${params} cannot be read exactly; pass a bigint or a decimal string`,
    );
  }
  if (params === null || typeof params !== 'object' || depth > 3) return params;
  if (Array.isArray(params)) {
    return params.some(needsEncoding)
      ? params.map((p, i) => encodeParams(p, `${path}[${i}]`, depth + 1))
      : params;
  }
  let needed = false;
  for (const k in params) {
    if (needsEncoding((params as Record<string, unknown>)[k])) {
      needed = true;
      break;
    }
  }
  if (!needed) return params;
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, encodeParams(v, `${path}.${k.slice(0, 40)}`, depth + 1)]),
  );
}

/** needsEncoding: a bigint, a number that is not a safe integer, or an object or array to look into. */
function needsEncoding(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isSafeInteger(v);
  return typeof v === 'bigint' || (v !== null && typeof v === 'object');
}
