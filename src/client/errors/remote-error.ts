/**
 * A node's JSON-RPC error answers, one class per condition a caller handles differently, and
 * `errorFromRpc`, which maps a code to its class through one table (`REMOTE_CODES`).
 *
 * Names start with `Remote`: `RemoteDivideByZeroError` is what a node answered, while the Arith
 * service's own `DivideByZeroError` (exported beside it) is what the method throws in the node.
 */
import { ClusterError, DeadlineExceededError, OverloadedError } from './cluster-error.js';

/**
 * RemoteError: a node answered with a JSON-RPC error. `retryable` and `answer` come from the
 * code's entry in `REMOTE_CODES` (unknown codes: neither), so a RemoteError built directly from a
 * code classifies the same as one from `errorFromRpc`.
 */
export class RemoteError extends ClusterError {
  /**
   * answer: the error is the method's answer to these params (divide by zero, result too large):
   * every node gives the same, so it is stored as a result and never retried.
   */
  readonly answer: boolean;
  constructor(
    readonly code: number,
    message: string,
    readonly nodeId: string,
    readonly data?: unknown,
  ) {
    const kind = REMOTE_CODES.get(code);
    super(message, kind?.retryable ?? false);
    this.answer = kind?.answer ?? false;
  }
}

/** RemoteDivideByZeroError (code 1001): Divide or Mod by 0; an answer, never retried. */
export class RemoteDivideByZeroError extends RemoteError {
  constructor(message: string, nodeId: string, data?: unknown) {
    super(1001, message, nodeId, data);
  }
}

/** RemoteResultTooLargeError (code 1002): the result would pass the node's bit bound; an answer. */
export class RemoteResultTooLargeError extends RemoteError {
  constructor(message: string, nodeId: string, data?: unknown) {
    super(1002, message, nodeId, data);
  }
}

/** RemoteInvalidParamsError (code -32602): params missing, extra or out of range; fix the call. */
export class RemoteInvalidParamsError extends RemoteError {
  constructor(message: string, nodeId: string, data?: unknown) {
    super(-32602, message, nodeId, data);
  }
}

/** RemoteMethodNotFoundError (code -32601): the node serves no such method; fix the call. */
export class RemoteMethodNotFoundError extends RemoteError {
  constructor(message: string, nodeId: string, data?: unknown) {
    super(-32601, message, nodeId, data);
  }
}

/**
 * RemoteShuttingDownError (code -32002): the node is draining and took no new work; retryable,
 * and the SDK retries it on another node (the node leaves discovery as it drains).
 */
export class RemoteShuttingDownError extends RemoteError {
  constructor(message: string, nodeId: string, data?: unknown) {
    super(-32002, message, nodeId, data);
  }
}

/** RpcFields are the members of a JSON-RPC error object, checked. */
interface RpcFields {
  code: number;
  message: string;
  data: unknown;
  nodeId: string;
  deadlineMs: number;
}

/** RemoteKind is how one code is handled: its class, whether to retry, whether it is an answer. */
interface RemoteKind {
  retryable: boolean;
  answer: boolean;
  make: (e: RpcFields) => ClusterError;
}

const remote = (e: RpcFields): ClusterError => new RemoteError(e.code, e.message, e.nodeId, e.data);

/** REMOTE_CODES is the one table from a JSON-RPC error code to its class and handling. */
const REMOTE_CODES: ReadonlyMap<number, RemoteKind> = new Map<number, RemoteKind>([
  [
    1001,
    {
      retryable: false,
      answer: true,
      make: (e) => new RemoteDivideByZeroError(e.message, e.nodeId, e.data),
    },
  ],
  [
    1002,
    {
      retryable: false,
      answer: true,
      make: (e) => new RemoteResultTooLargeError(e.message, e.nodeId, e.data),
    },
  ],
  [
    -32602,
    {
      retryable: false,
      answer: false,
      make: (e) => new RemoteInvalidParamsError(e.message, e.nodeId, e.data),
    },
  ],
  [
    -32601,
    {
      retryable: false,
      answer: false,
      make: (e) => new RemoteMethodNotFoundError(e.message, e.nodeId, e.data),
    },
  ],
  [
    -32001,
    {
      retryable: false,
      answer: false,
      make: (e) => new DeadlineExceededError(e.deadlineMs, { nodeId: e.nodeId }),
    },
  ],
  [
    -32002,
    {
      retryable: true,
      answer: false,
      make: (e) => new RemoteShuttingDownError(e.message, e.nodeId, e.data),
    },
  ],
  [-32003, { retryable: true, answer: false, make: (e) => new OverloadedError(e.message, e.nodeId, e.data) }],
  // A handler failed on that node only (a bug or a resource): another node may manage.
  [-32603, { retryable: true, answer: false, make: remote }],
]);

/** errorFromRpc turns a JSON-RPC error object from a node into the SDK's error class for its code. */
export function errorFromRpc(error: unknown, nodeId: string, deadlineMs: number): ClusterError {
  const e = (error && typeof error === 'object' ? error : {}) as {
    code?: unknown;
    message?: unknown;
    data?: unknown;
  };
  const fields: RpcFields = {
    code: typeof e.code === 'number' ? e.code : -32603,
    message: typeof e.message === 'string' ? e.message : 'malformed error',
    data: e.data,
    nodeId,
    deadlineMs,
  };
  return (REMOTE_CODES.get(fields.code)?.make ?? remote)(fields);
}
