/**
 * The SDK's errors: one class per condition, each with `name` set, `cause` chained where there is
 * one, and `retryable` saying whether trying again (on another node, or later) can succeed.
 */
import type { ResultRecord } from '../results/result-record.js';

/** ClusterError is the base of every error the SDK raises itself. */
export class ClusterError extends Error {
  /** retryable: whether the same call may succeed if tried again. */
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.retryable = retryable;
  }
}

/** NoNodesError: no live node is known (or every node was tried); retryable once nodes join. */
export class NoNodesError extends ClusterError {
  constructor(message = 'no live nodes', options?: ErrorOptions) {
    super(message, true, options);
  }
}

/** DeadlineExceededError: the call's deadline passed before an answer (client- or node-side). */
export class DeadlineExceededError extends ClusterError {
  constructor(
    readonly deadlineMs: number,
    options?: ErrorOptions & { nodeId?: string },
  ) {
    super(
      `deadline of ${deadlineMs} ms exceeded${options?.nodeId ? ` (node ${options.nodeId})` : ''}`,
      false,
      options,
    );
  }
}

/** TransportKind classifies a transport failure for ejection and retry decisions. */
export type TransportKind = 'refused' | 'timeout' | 'reset' | 'server';

/** TransportError: the request did not get an answer from a node (refused, reset, timed out, bad reply). */
export class TransportError extends ClusterError {
  constructor(
    message: string,
    readonly nodeId: string,
    readonly kind: TransportKind,
    options?: ErrorOptions,
  ) {
    super(`${message} (node ${nodeId})`, true, options);
  }
}

/** RemoteError: a node answered with a JSON-RPC error (e.g. code 1001 `divide by zero`). */
export class RemoteError extends ClusterError {
  constructor(
    readonly code: number,
    message: string,
    readonly nodeId: string,
    readonly data?: unknown,
  ) {
    super(message, RETRYABLE_CODES.has(code));
  }
}

/** Codes that mean "this node could not do it now": another node (or a later try) may. */
const RETRYABLE_CODES = new Set([-32002, -32003, -32603]);

/** Receipt-style summary of one node's answer, as used by QuorumError. */
export interface Answer {
  nodeId: string;
  result?: unknown;
  error?: Error;
}

/** QuorumError: fewer than k nodes returned the same result; `answers` shows who answered what. */
export class QuorumError extends ClusterError {
  constructor(
    readonly k: number,
    readonly answers: Answer[],
  ) {
    const summary = answers
      .map((a) => `${a.nodeId}=${a.error ? `error(${a.error.message})` : JSON.stringify(a.result)}`)
      .join(', ');
    super(`quorum of ${k} not reached: ${summary || 'no answers'}`, false);
  }
}

/** errorFromRpc turns a JSON-RPC error object from a node into the SDK's error class. */
export function errorFromRpc(error: unknown, nodeId: string, deadlineMs: number): ClusterError {
  const e = (error && typeof error === 'object' ? error : {}) as {
    code?: unknown;
    message?: unknown;
    data?: unknown;
  };
  const code = typeof e.code === 'number' ? e.code : -32603;
  const message = typeof e.message === 'string' ? e.message : 'malformed error';
  if (code === -32001) return new DeadlineExceededError(deadlineMs, { nodeId });
  return new RemoteError(code, message, nodeId, e.data);
}

/** isRetryable tells whether an error may succeed on another attempt. */
export function isRetryable(error: unknown): boolean {
  return error instanceof ClusterError && error.retryable;
}

/**
 * ResultConflictError: a result key already holds a record that disagrees with the one just
 * computed (another answer, or another method or params under the same key). Nothing was
 * overwritten; `stored` is what etcd holds, `computed` what this client would have stored.
 */
export class ResultConflictError extends ClusterError {
  constructor(
    readonly key: string,
    readonly stored: ResultRecord,
    readonly computed: ResultRecord,
  ) {
    super(
      `result ${key} conflicts with the stored record: stored ${describe(stored)}, computed ${describe(computed)}`,
      false,
    );
  }
}

function describe(r: ResultRecord): string {
  const answer =
    r.error !== undefined ? `error ${r.error.code} (${r.error.message})` : JSON.stringify(r.result);
  const shown = answer.length > 80 ? `${answer.slice(0, 80)}…` : answer;
  return `${r.method} = ${shown}${r.nodes.length > 0 ? ` from ${r.nodes.join(',')}` : ''}`;
}
