import { ArithError } from '../arith/errors.js';
import {
  DeadlineExceededError,
  NoNodesError,
  OverloadedError,
  RemoteError,
  TransportError,
} from '../client/errors.js';
import type { CallOutcome } from '../node/dispatcher.js';
import { type JsonRpcErrorObject, RPC_ERRORS, rpcError } from '../protocol/rpc-errors.js';

/** ErrorAnswer is the JSON-RPC error a forwarded call is answered with, and its metrics outcome. */
export interface ErrorAnswer {
  error: JsonRpcErrorObject;
  outcome: CallOutcome['outcome'];
}

/**
 * errorAnswer turns what a forwarded call threw into the JSON-RPC error the caller gets. A node's
 * own answer (divide by zero, invalid params, method not found) passes through as the node gave
 * it (code, message, data); a deadline is -32001 as a node words it; the SDK's own conditions
 * (no live node, every attempt failed in transport, overloaded) become the codes a node would use
 * for "try again elsewhere". Anything else is -32603.
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof DeadlineExceededError) {
    return { error: rpcError(RPC_ERRORS.DEADLINE_EXCEEDED, 'deadline exceeded'), outcome: 'deadline' };
  }
  if (error instanceof RemoteError || error instanceof ArithError) {
    const outcome = error.code === RPC_ERRORS.INVALID_PARAMS ? 'invalid_params' : 'app_error';
    return { error: rpcError(error.code, error.message, error.data), outcome };
  }
  if (error instanceof OverloadedError) {
    return { error: rpcError(RPC_ERRORS.OVERLOADED, error.message), outcome: 'internal' };
  }
  if (error instanceof NoNodesError) {
    const message = `no live node answered (${error.message}): retry later or on another gateway`;
    return { error: rpcError(RPC_ERRORS.SHUTTING_DOWN, message), outcome: 'internal' };
  }
  if (error instanceof TransportError) {
    const message = `Internal error: no node answered: ${error.message}`;
    return { error: rpcError(RPC_ERRORS.INTERNAL_ERROR, message), outcome: 'internal' };
  }
  return { error: rpcError(RPC_ERRORS.INTERNAL_ERROR, 'Internal error'), outcome: 'internal' };
}
