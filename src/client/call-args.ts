/**
 * Checks of a call's method and params at the SDK's public entry points, so that a bad argument
 * fails its own call with a TypeError (a rejected promise), never another call of the same batch.
 * Params that are not JSON deep inside (a circular object) are caught per call by the batch codec.
 */
import { show } from '../util/check-options.js';
import type { ManyCall } from './call-many.js';
import { encodeParams } from './exact.js';

/** checkMethod throws a TypeError unless `method` is a non-empty string. */
export function checkMethod(method: unknown, name = 'method'): asserts method is string {
  if (typeof method !== 'string' || method === '') {
    throw new TypeError(`${name} must be a non-empty string, got ${show(method)}`);
  }
}

/**
 * wireCallParams checks and wire-encodes one call's params (see encodeParams): `undefined` stays
 * (the request then has no params member and the node answers for it); a function or a symbol
 * is a TypeError.
 */
export function wireCallParams(params: unknown, name = 'params'): unknown {
  if (typeof params === 'function' || typeof params === 'symbol') {
    throw new TypeError(`${name} must be JSON (an array or an object), got ${show(params)}`);
  }
  return encodeParams(params);
}

/**
 * wireManyCalls checks a `callMany` group (an array of `{ method, params }` objects, no holes)
 * and returns it wire-encoded. @throws TypeError naming the first bad element.
 */
export function wireManyCalls(calls: unknown): ManyCall[] {
  if (!Array.isArray(calls))
    throw new TypeError(`calls must be an array of { method, params }, got ${show(calls)}`);
  const out = new Array<ManyCall>(calls.length);
  for (let i = 0; i < calls.length; i++) {
    const call: unknown = calls[i];
    if (call === null || typeof call !== 'object') {
      throw new TypeError(`calls[${i}] must be an object { method, params }, got ${show(call)}`);
    }
    const { method, params } = call as { method?: unknown; params?: unknown };
    checkMethod(method, `calls[${i}].method`);
    out[i] = { method, params: wireCallParams(params, `calls[${i}].params`) };
  }
  return out;
}
