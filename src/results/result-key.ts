/**
 * Result keys: what a caller's idempotency key may look like, and the key derived from a method and
 * its params when the caller gives none, so the same computation is stored once whatever its shape.
 */
import crypto, { createHash } from 'node:crypto';
import { encodeInteger } from '../arith/integer.js';
import { paramsShape } from '../arith/methods.js';
import { binaryArgs, listArgs } from '../arith/params.js';
import { toWireValue } from '../protocol/canonical-json.js';
import { show } from '../util/check-options.js';

/** canonicalJson and toWireValue live in the protocol (answers compare with them too). */
export { canonicalJson, toWireValue } from '../protocol/canonical-json.js';

/** KEY_PATTERN: the characters a result key may contain (1–512 of them). */
export const KEY_PATTERN = /^[A-Za-z0-9._:@=+/-]{1,512}$/;

/** keyProblem says why `key` is not a valid result key, or returns undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string') return `key must be a string, got ${key === null ? 'null' : typeof key}`;
  if (key.length === 0) return 'key is empty';
  if (key.length > 512) return `key has ${key.length} characters, more than 512`;
  if (!KEY_PATTERN.test(key)) return 'key may only contain A-Z a-z 0-9 and . _ : @ = + - /';
  if (key.startsWith('/')) return 'key must not start with /';
  if (key.includes('..')) return 'key must not contain ..';
  return undefined;
}

/** checkKey throws a TypeError naming the problem when `key` is not a valid result key. */
export function checkKey(key: string): string {
  const problem = keyProblem(key);
  if (problem !== undefined) throw new TypeError(`invalid result key ${show(key)}: ${problem}`);
  return key;
}

/**
 * wireParams is the one stored (and sent) form of `params`: for a known Arith method the named shape
 * `{ A, B }` or `{ Values }` with wire integers, whichever of the three accepted shapes was given;
 * for other methods the canonical copy of `params`.
 * @throws InvalidParamsError when an Arith method's params do not parse; TypeError for non-JSON.
 */
export function wireParams(method: string, params: unknown): unknown {
  const shape = paramsShape(method);
  if (shape === undefined) return toWireValue(params);
  if (shape === 'list') return { Values: listArgs(params).map((v) => encodeInteger(v, 'json')) };
  const { A, B } = binaryArgs(params);
  return { A: encodeInteger(A, 'json'), B: encodeInteger(B, 'json') };
}

/**
 * deriveKey is the key of a computation when the caller gives none:
 * `<method>/<first 40 hex digits of sha256(canonical JSON of the wire params)>`. For Arith methods
 * `{A: 7, B: 8}`, `[{A: 7, B: 8}]`, `[7, 8]` and `{A: 7n, B: '8'}` give the same key.
 * @throws TypeError when the method name cannot be part of a key; InvalidParamsError as wireParams.
 */
export function deriveKey(method: string, params: unknown): string {
  return deriveKeyFromWire(method, wireParams(method, params));
}

/** Method names already checked to make valid keys with a 40-digit hex suffix. */
const keyedMethods = new Set<string>();

/** sha256Hex hashes text (one-shot `crypto.hash` where Node has it: no Hash object per key). */
const sha256Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash(alg: string, data: string): string }).hash('sha256', text)
    : (text) => createHash('sha256').update(text).digest('hex');

/** deriveKeyFromWire is deriveKey for params already returned by `wireParams` (not normalised again). */
export function deriveKeyFromWire(method: string, wire: unknown): string {
  const key = `${method}/${sha256Hex(JSON.stringify(wire)).slice(0, 40)}`;
  if (!keyedMethods.has(method)) {
    checkKey(key);
    if (keyedMethods.size < 1000) keyedMethods.add(method);
  }
  return key;
}
