/**
 * The SDK's errors: one class per condition, each with `name` set, `cause` chained where there is
 * one, and `retryable` saying whether trying again (on another node, or later) can succeed. This
 * file is their one import path; the SDK's own conditions live in `errors/cluster-error.ts`, a
 * node's JSON-RPC error answers (and the code → class table) in `errors/remote-error.ts`.
 */
import type { ResultRecord } from '../results/result-record.js';
import { ClusterError } from './errors/cluster-error.js';

export {
  ClusterClosedError,
  ClusterError,
  DeadlineExceededError,
  isRetryable,
  NoNodesError,
  OverloadedError,
} from './errors/cluster-error.js';
export {
  errorFromRpc,
  RemoteDivideByZeroError,
  RemoteError,
  RemoteInvalidParamsError,
  RemoteMethodNotFoundError,
  RemoteResultTooLargeError,
  RemoteShuttingDownError,
} from './errors/remote-error.js';
export { NodeTlsError } from './errors/tls-error.js';

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
