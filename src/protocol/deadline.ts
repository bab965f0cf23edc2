/**
 * How a client passes its remaining deadline to a node, on either transport. HTTP carries it in a
 * header; the newline-delimited TCP transport in a JSON-RPC notification placed first in a batch
 * (JSON-RPC 2.0 reserves `rpc.`-prefixed method names for extensions like this one). Either way the
 * node answers `DEADLINE_EXCEEDED` once it passes, and never waits longer than its request timeout.
 */

/** DEADLINE_HEADER: HTTP header with the client's remaining deadline, in milliseconds. */
export const DEADLINE_HEADER = 'x-arith-deadline-ms';

/** DEADLINE_METHOD: first element of a TCP batch, `{"jsonrpc":"2.0","method":"rpc.deadline","params":[ms]}`. */
export const DEADLINE_METHOD = 'rpc.deadline';

/** deadlineAt turns a client's asked milliseconds (any value) into an absolute deadline capped by `timeoutMs`. */
export function deadlineAt(asked: unknown, timeoutMs: number, now = Date.now()): number {
  const ms = Number(asked);
  return now + (Number.isFinite(ms) && ms > 0 ? Math.min(ms, timeoutMs) : timeoutMs);
}

/** deadlineNote encodes the TCP notification that carries `ms`, with its trailing comma, for a batch's head. */
export function deadlineNote(ms: number): string {
  return `{"jsonrpc":"2.0","method":"${DEADLINE_METHOD}","params":[${Math.max(1, Math.ceil(ms))}]},`;
}

/**
 * takeDeadlineNote splits a parsed TCP message into the batch without its leading deadline note and
 * the milliseconds the note asked for (undefined when there is none; the message is then unchanged).
 */
export function takeDeadlineNote(message: unknown): { message: unknown; askedMs: unknown } {
  if (!Array.isArray(message) || message.length < 2) return { message, askedMs: undefined };
  const head = message[0] as { method?: unknown; id?: unknown; params?: unknown } | null;
  if (head === null || typeof head !== 'object' || head.method !== DEADLINE_METHOD || 'id' in head) {
    return { message, askedMs: undefined };
  }
  const params = head.params;
  return { message: message.slice(1), askedMs: Array.isArray(params) ? params[0] : undefined };
}
