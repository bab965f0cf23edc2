/**
 * Canonical JSON: one text per JSON value, whatever its member order or integer encoding, so that
 * equal params and equal answers compare equal as strings (result keys hash it; answers compare it).
 */
import { encodeInteger } from '../arith/integer.js';
import { RawNumber } from './raw-number.js';

/** MAX_DEPTH bounds how deep a value may nest before canonical JSON refuses it. */
const MAX_DEPTH = 64;

/**
 * toWireValue copies a JSON-like value with bigints in the wire encoding (a number when safe,
 * else a decimal string) and object members in sorted order, so that `JSON.stringify` of the copy
 * is canonical. Throws TypeError for values JSON cannot carry (functions, symbols, NaN, cycles) and
 * for a RawNumber (its internal object is never stored in its place).
 */
export function toWireValue(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new TypeError(`params nest deeper than ${MAX_DEPTH} levels`);
  switch (typeof value) {
    case 'bigint':
      return encodeInteger(value, 'json');
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be stored as JSON`);
      return Object.is(value, -0) ? 0 : value;
    case 'string':
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (value instanceof RawNumber) throw new TypeError(`number ${value} cannot be stored exactly as JSON`);
      if (Array.isArray(value)) return value.map((v) => toWireValue(v === undefined ? null : v, depth + 1));
      const entries = Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      // fromEntries defines own properties, so a `__proto__` member stays a member.
      return Object.fromEntries(entries.map(([k, v]) => [k, toWireValue(v, depth + 1)]));
    }
    default:
      throw new TypeError(`a ${typeof value} cannot be stored as JSON`);
  }
}

/** canonicalJson is the canonical JSON text of a value: sorted members, wire-encoded bigints. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(toWireValue(value));
}
