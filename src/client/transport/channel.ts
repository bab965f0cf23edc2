import type { CallRecord } from '../pending-call.js';

/** TransportName: how the SDK talks to nodes: pipelined newline-delimited TCP (default) or HTTP. */
export type TransportName = 'tcp' | 'http';

/**
 * BatchRequest is one auto-batch on its way to a node: the encoded call objects and what a channel
 * needs to frame it, route its answer and bound its wait.
 */
export interface BatchRequest {
  /** calls: the JSON-RPC request objects, comma-separated (no brackets). */
  calls: string;
  /** count: how many calls; their ids are `firstId` .. `firstId + count - 1`. */
  count: number;
  firstId: number;
  /** deadlineAt: the latest deadline (`Date.now()` ms) among the calls. */
  deadlineAt: number;
  /**
   * callDeadlinesAt: each call's own deadline, in id order, when they are not all `deadlineAt`
   * (channels pass them to the node, which then enforces each call's own).
   */
  callDeadlinesAt?: readonly number[] | undefined;
  /** lone: the call, when the batch holds just one (HTTP sends it unwrapped and may abort it). */
  lone: CallRecord | undefined;
}

/**
 * Channel carries batches to one node and returns each batch's replies. It rejects with a
 * TransportError when the node could not be reached or did not answer (counted against the node),
 * and with a RemoteError when the node refused the batch as a whole (for instance too large).
 */
export interface Channel {
  exchange(batch: BatchRequest): Promise<unknown[]>;
  /**
   * ping sends one `rpc.ping` (connecting first if need be) and resolves when the node answers;
   * rejects with a TransportError when it cannot connect or gets no answer within `timeoutMs`.
   */
  ping(timeoutMs: number): Promise<void>;
  /** close lets batches in flight finish, then closes the connections. */
  close(): Promise<void>;
}
