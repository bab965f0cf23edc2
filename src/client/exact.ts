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
 * encodeParams makes caller params wire-safe: bigints become numbers or decimal strings, one level
 * into objects and arrays (the Arith shapes `{A, B}`, `[a, b]`, `{Values: [...]}`, `[{A, B}]`).
 */
export function encodeParams(params: unknown, depth = 0): unknown {
  if (typeof params === 'bigint') return toWire(params);
  if (params === null || typeof params !== 'object' || depth > 3) return params;
  if (Array.isArray(params)) {
    return params.some(needsEncoding) ? params.map((p) => encodeParams(p, depth + 1)) : params;
  }
  let needed = false;
  for (const k in params) {
    if (needsEncoding((params as Record<string, unknown>)[k])) {
      needed = true;
      break;
    }
  }
  if (!needed) return params;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encodeParams(v, depth + 1)]));
}

function needsEncoding(v: unknown): boolean {
  return typeof v === 'bigint' || (v !== null && typeof v === 'object');
}
