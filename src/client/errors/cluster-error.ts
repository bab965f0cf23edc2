/**
 * The SDK's own errors, raised without a node's JSON-RPC answer (or standing for one the SDK
 * treats alike): one class per condition, `name` set, `cause` chained, `retryable` marked.
 */

/** ClusterError is the base of every error the SDK raises itself. */
export class ClusterError extends Error {
  /** retryable: whether the same call may succeed if tried again (on another node, or later). */
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.retryable = retryable;
  }
}

/** isRetryable tells whether an error may succeed on another attempt. */
export function isRetryable(error: unknown): boolean {
  return error instanceof ClusterError && error.retryable;
}

/** NoNodesError: no live node is known (or every node was tried); retryable once nodes join. */
export class NoNodesError extends ClusterError {
  constructor(message = 'no live nodes', options?: ErrorOptions) {
    super(message, true, options);
  }
}

/** ClusterClosedError: the client was closed (`close()`); calls made after it, or waiting then, fail. */
export class ClusterClosedError extends ClusterError {
  constructor(options?: ErrorOptions) {
    super('cluster client is closed', false, options);
  }
}

/**
 * DeadlineExceededError (code -32001): the call's deadline passed before an answer, in the
 * client (`nodeId` undefined: waiting for a slot, or for the node) or on the node that said so.
 */
export class DeadlineExceededError extends ClusterError {
  /** code is the JSON-RPC code a node sends for it. */
  readonly code = -32001;
  /** nodeId is the node that answered "deadline exceeded", if one did. */
  readonly nodeId: string | undefined;
  constructor(
    readonly deadlineMs: number,
    options?: ErrorOptions & { nodeId?: string },
  ) {
    super(
      `deadline of ${deadlineMs} ms exceeded${options?.nodeId ? ` (node ${options.nodeId})` : ''}`,
      false,
      options,
    );
    this.nodeId = options?.nodeId;
  }
}

/**
 * OverloadedError (code -32003): more work than there is room for. From a node (`nodeId` set,
 * at its in-flight limit) it is retryable, and the SDK has already retried it on other nodes;
 * from this client's own queue (`nodeId` undefined, past `maxQueued`) it is not: the caller is
 * sending faster than `maxInflight` calls drain, and trying again at once meets the same queue.
 * Either way the caller's move is the same: back off or shed load.
 */
export class OverloadedError extends ClusterError {
  /** code is the JSON-RPC code a node sends for it. */
  readonly code = -32003;
  constructor(
    message: string,
    /** nodeId is the node that said it is overloaded; undefined when this client's queue is full. */
    readonly nodeId: string | undefined,
    /** data is the JSON-RPC error's `data` member, if the node sent one. */
    readonly data?: unknown,
  ) {
    super(message, nodeId !== undefined);
  }
}
