/**
 * JSON-RPC error codes the node answers with, beside the Arith service's own
 * (`-32602` invalid params, `1001` divide by zero, `1002` result too large).
 */
export const RPC_ERRORS = {
  /** PARSE_ERROR: the request body or line is not valid JSON. */
  PARSE_ERROR: -32700,
  /** INVALID_REQUEST: not a JSON-RPC request, an empty batch, or a batch/body over a limit. */
  INVALID_REQUEST: -32600,
  /** METHOD_NOT_FOUND: no such method (prototype names included). */
  METHOD_NOT_FOUND: -32601,
  /** INVALID_PARAMS: params missing, extra, of the wrong type or out of range. */
  INVALID_PARAMS: -32602,
  /** INTERNAL_ERROR: a handler threw something unexpected; the node stays up. */
  INTERNAL_ERROR: -32603,
  /** DEADLINE_EXCEEDED: the call's deadline (or the node's request timeout) passed first. */
  DEADLINE_EXCEEDED: -32001,
  /** SHUTTING_DOWN: the node is draining and takes no new calls; retry on another node. */
  SHUTTING_DOWN: -32002,
  /** OVERLOADED: the node is at its in-flight limit; retry on another node. */
  OVERLOADED: -32003,
} as const;

/** JsonRpcErrorObject is the `error` member of a JSON-RPC 2.0 response. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** rpcError builds a JSON-RPC 2.0 error object. */
export function rpcError(code: number, message: string, data?: unknown): JsonRpcErrorObject {
  return data === undefined ? { code, message } : { code, message, data };
}

/** errorResponse builds a whole JSON-RPC 2.0 error response (id `null` when unknown). */
export function errorResponse(
  id: string | number | null,
  code: number,
  message: string,
): { jsonrpc: '2.0'; id: string | number | null; error: JsonRpcErrorObject } {
  return { jsonrpc: '2.0', id, error: rpcError(code, message) };
}
