/**
 * Reading one JSON-RPC request object to the letter of the specifications: 2.0 (a `jsonrpc: "2.0"`
 * member) and 1.0 (no `jsonrpc` member, as Go's net/rpc/jsonrpc sends).
 */
import { RawNumber } from './raw-number.js';

/** RpcVersion is the JSON-RPC version a request spoke, and so the shape its response takes. */
export type RpcVersion = 1 | 2;

/** RpcRequest is a well-formed call; `notification` when (2.0 only) it has no `id` member. */
export interface RpcRequest {
  ok: true;
  version: RpcVersion;
  id: unknown;
  notification: boolean;
  method: string;
  params: unknown;
}

/** InvalidRpcRequest is a malformed request: `reason` says why, `id` is echoed when it was valid. */
export interface InvalidRpcRequest {
  ok: false;
  version: RpcVersion;
  id: unknown;
  reason: string;
}

/**
 * readRequest checks one request object. 2.0: `jsonrpc` must be `"2.0"`, `method` a string,
 * `params` (optional) an array or object, `id` (optional) a string, a number or null; only a
 * request without an `id` member is a notification, and an invalid one is answered all the same
 * (with its id when the id itself is valid, else null). 1.0 (top level only, never inside a batch):
 * `method` a string, `params` an array, an object or null; any `id` is echoed as sent, and every
 * request is answered, as Go's server does. A `-0` in an id keeps its sign (as RawNumber).
 */
export function readRequest(value: unknown, inBatch: boolean): RpcRequest | InvalidRpcRequest {
  if (!isStructured(value) || Array.isArray(value)) {
    return { ok: false, version: 2, id: null, reason: 'expected a request object' };
  }
  const req = value as Record<string, unknown>;
  const hasId = Object.hasOwn(req, 'id');
  if (!inBatch && !Object.hasOwn(req, 'jsonrpc')) {
    const id = hasId ? signedZero(req.id) : null;
    const bad = (reason: string): InvalidRpcRequest => ({ ok: false, version: 1, id, reason });
    if (typeof req.method !== 'string') return bad('method must be a string');
    const params = req.params;
    if (params !== undefined && params !== null && !isStructured(params)) {
      return bad('params must be an array');
    }
    return { ok: true, version: 1, id, notification: false, method: req.method, params };
  }
  const idValid = !hasId || isRequestId(req.id);
  const id = hasId && idValid ? signedZero(req.id) : null;
  const bad = (reason: string): InvalidRpcRequest => ({ ok: false, version: 2, id, reason });
  if (!idValid) return bad('id must be a string, a number or null');
  if (req.jsonrpc !== '2.0') return bad('jsonrpc must be "2.0"');
  if (typeof req.method !== 'string') return bad('method must be a string');
  const params = req.params;
  if (params !== undefined && !isStructured(params)) {
    return bad('params must be an array or an object');
  }
  return { ok: true, version: 2, id, notification: !hasId, method: req.method, params };
}

/** isStructured: an array or an object (a RawNumber is a number, though it is held in an object). */
function isStructured(params: unknown): boolean {
  return typeof params === 'object' && params !== null && !(params instanceof RawNumber);
}

/** isRequestId accepts what JSON-RPC 2.0 allows as an id: a string, a number (any, exactly) or null. */
function isRequestId(id: unknown): boolean {
  const t = typeof id;
  return id === null || t === 'string' || t === 'number' || t === 'bigint' || id instanceof RawNumber;
}

/**
 * signedZero returns the id with every `-0` in it (a 1.0 id may be any JSON value) as a RawNumber,
 * since JSON.stringify would drop its sign. It walks the id in place, without recursion.
 */
function signedZero(id: unknown): unknown {
  const fix = (v: unknown): unknown => (v === 0 && Object.is(v, -0) ? new RawNumber('-0') : v);
  const stack: unknown[] = [id];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || node instanceof RawNumber) continue;
    const obj = node as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      obj[key] = fix(obj[key]);
      stack.push(obj[key]);
    }
  }
  return fix(id);
}

/** needsExactWriter reports whether an id must be written by `stringifyExact`. */
export function needsExactWriter(id: unknown): boolean {
  return typeof id === 'bigint' || id instanceof RawNumber;
}
