/**
 * stringifyExact: JSON.stringify that writes bigints and RawNumbers as raw JSON numbers, exactly.
 */
import { randomUUID } from 'node:crypto';
import { RawNumber } from './raw-number.js';

/**
 * A random per-process marker. Data cannot carry it by accident; guessing it would need
 * 122 random bits. It uses only characters JSON never escapes.
 */
const MARK = `bigint${randomUUID().replaceAll('-', '')}`;
const MARKED_BIGINT = new RegExp(`"${MARK}(-?[\\d.eE+-]+)${MARK}"`, 'g');

/** Nesting depth past which `prepare` gives up and the slower replacer path is used. */
const MAX_PREPARE_DEPTH = 1000;
const TOO_DEEP = Symbol('too deep');

/**
 * stringifyExact works like `JSON.stringify(value)` but writes every `bigint`, at any
 * depth, as a raw JSON number with exact digits, and every RawNumber as its text. Values without bigints go straight through
 * `JSON.stringify`; otherwise plain objects and arrays holding bigints are copied with the
 * bigints replaced by marked strings, which are unmarked in the output. `toJSON` methods and
 * getters may be called more than once.
 * @throws TypeError when `value` is not serializable (cycles, or a top-level `undefined`,
 * function or symbol, for which JSON.stringify would return undefined, or a RawNumber that only
 * the slow replacer path reaches).
 */
export function stringifyExact(value: unknown): string {
  let text = nativeStringify(value);
  if (text === null) {
    const prepared = prepare(value, 0);
    text = prepared === TOO_DEEP ? undefined : tryStringify(prepared);
    // Bigints the copy could not reach (inside class instances, from toJSON, too deep):
    text ??= JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${MARK}${v}${MARK}` : v));
    if (text !== undefined) text = text.replace(MARKED_BIGINT, '$1');
  }
  if (text === undefined) throw new TypeError(`stringifyExact: ${typeof value} is not JSON-serializable`);
  return text;
}

/**
 * nativeStringify returns `JSON.stringify(value)`, or null when it throws a TypeError (a
 * bigint, or a cycle that the slower paths will report). The stack trace of that expected
 * error is not captured: it would cost more than the serialization of a small response.
 */
function nativeStringify(value: unknown): string | undefined | null {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (err instanceof TypeError) return null;
    throw err;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function tryStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (err instanceof TypeError) return undefined;
    throw err;
  }
}

/**
 * prepare returns `value` with every bigint reachable through plain objects and arrays
 * (or RawNumber) replaced by a marked string, copying only the containers that change. Objects with
 * `toJSON` and class instances are left for JSON.stringify.
 */
function prepare(value: unknown, depth: number): unknown {
  if (typeof value === 'bigint') return `${MARK}${value}${MARK}`;
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof RawNumber) return `${MARK}${value.text}${MARK}`;
  if (depth > MAX_PREPARE_DEPTH) return TOO_DEEP;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const child: unknown = value[i];
      const next = prepare(child, depth + 1);
      if (next === TOO_DEEP) return TOO_DEEP;
      if (next !== child) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const obj = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const child = obj[key];
    const next = prepare(child, depth + 1);
    if (next === TOO_DEEP) return TOO_DEEP;
    if (next !== child) {
      // Spread defines own properties, so an own "__proto__" key stays a plain property.
      copy ??= { ...obj };
      copy[key] = next;
    }
  }
  return copy ?? value;
}
