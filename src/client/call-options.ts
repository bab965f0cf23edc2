/** CallOptions apply to every call mode. */
export interface CallOptions {
  /** signal: aborts the call (rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /** deadlineMs: the whole call's budget, retries included; passed to the node and enforced there. */
  deadlineMs?: number | undefined;
  /** key: a caller key for the consistent-hash balancer. */
  key?: string | undefined;
  /** attempts: most nodes to try for transport errors (default from connect options). */
  attempts?: number | undefined;
  /** hedgeMs: send a second copy to another node if no answer after this long (off by default). */
  hedgeMs?: number | undefined;
  /** attemptTimeoutMs: give an attempt up on its node after this long (see ConnectOptions; 0: never). */
  attemptTimeoutMs?: number | undefined;
}
