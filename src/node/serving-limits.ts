/**
 * ServingLimits are the limits a JSON-RPC server of this project (a node, a gateway) applies to
 * its HTTP and TCP listeners; an omitted one takes the node's default.
 */
export interface ServingLimits {
  /** maxBodyBytes: largest HTTP body and TCP line accepted. */
  maxBodyBytes?: number;
  /** maxBatchLength: longest JSON-RPC batch accepted (default 1,000). */
  maxBatchLength?: number;
  /** requestTimeoutMs: the longest deadline a call gets (default 30 s). */
  requestTimeoutMs?: number;
  /** drainTimeoutMs: how long close() waits for calls in flight. */
  drainTimeoutMs?: number;
  /** idleTimeoutMs: close connections with nothing in flight (HTTP: no request completed) this long; 0 never (default 30 s). */
  idleTimeoutMs?: number;
  /** maxConnections: open connections over both ports; more are refused at once (default 10,000). */
  maxConnections?: number;
  /** maxPipeline: requests in flight per TCP connection before the server stops reading it (default 1,024). */
  maxPipeline?: number;
  /** maxInflight: calls in flight at once; more are answered OVERLOADED at once (default 10,000). */
  maxInflight?: number;
}
