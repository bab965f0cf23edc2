/**
 * Response objects in the shape of the version a request spoke: 2.0 `{jsonrpc, id, result|error}`
 * with an error object, 1.0 (Go's net/rpc/jsonrpc) `{id, error, result}` with the error as a string.
 */
import type { RpcVersion } from './json-rpc-request.js';
import type { JsonRpcErrorObject } from './rpc-errors.js';

/** resultResponse builds the response carrying `result` for `id`. */
export function resultResponse(version: RpcVersion, id: unknown, result: unknown): object {
  return version === 2 ? { jsonrpc: '2.0', id, result } : { id, error: null, result };
}

/** failureResponse builds the response carrying `error` for `id` (1.0: just its message, result null). */
export function failureResponse(version: RpcVersion, id: unknown, error: JsonRpcErrorObject): object {
  return version === 2 ? { jsonrpc: '2.0', id, error } : { id, error: error.message, result: null };
}
