/**
 * Request ids that tie a client's request to a node's log line. HTTP carries one in a header;
 * TCP batches carry none (their JSON-RPC ids already route replies on the one connection).
 */

/** REQUEST_ID_HEADER: HTTP header with the client's request id, logged by the node at debug level. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * requestIds returns a generator of ids unique to this process: a prefix made of the pid and a
 * random tag, then a counter (`c1a2b3x4-1`, `c1a2b3x4-2`, …).
 */
export function requestIds(): () => string {
  const prefix = `c${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let next = 1;
  return () => `${prefix}-${next++}`;
}
