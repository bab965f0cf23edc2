/**
 * How a client passes its remaining deadline to a node, on either transport. HTTP carries it in a
 * header; the newline-delimited TCP transport in a JSON-RPC notification placed first in a batch
 * (JSON-RPC 2.0 reserves `rpc.`-prefixed method names for extensions like this one). Either way the
 * node answers `DEADLINE_EXCEEDED` once it passes, and never waits longer than its request timeout.
 *
 * A batch whose calls have different deadlines also carries one per call, in batch order: the
 * note's params become `[maxMs, [ms0, ms1, ...]]`, and HTTP adds `x-arith-call-deadlines-ms:
 * ms0,ms1,...`. Both are additions a node that does not know them ignores (it then enforces the
 * largest, `maxMs`, for every call); a list whose length is not the batch's is ignored too.
 */

/** DEADLINE_HEADER: HTTP header with the client's remaining deadline, in milliseconds. */
export const DEADLINE_HEADER = 'x-arith-deadline-ms';

/** CALL_DEADLINES_HEADER: HTTP header with each batch call's remaining ms, comma-separated, in batch order. */
export const CALL_DEADLINES_HEADER = 'x-arith-call-deadlines-ms';

/** DEADLINE_METHOD: first element of a TCP batch, `{"jsonrpc":"2.0","method":"rpc.deadline","params":[ms]}`. */
export const DEADLINE_METHOD = 'rpc.deadline';

/**
 * deadlineAt turns a client's asked milliseconds (any value) into an absolute deadline capped by
 * `timeoutMs`. Only a number, a numeric string or a bigint asks for anything: an object or array
 * from a TCP note is ignored unconverted (`Number()` of `{"valueOf":1,"toString":1}` throws).
 */
export function deadlineAt(asked: unknown, timeoutMs: number, now = Date.now()): number {
  const kind = typeof asked;
  const ms = kind === 'number' || kind === 'string' || kind === 'bigint' ? Number(asked) : Number.NaN;
  return now + (Number.isFinite(ms) && ms > 0 ? Math.min(ms, timeoutMs) : timeoutMs);
}

/** remainingMs is what is left of an absolute deadline, in whole milliseconds (at least 1). */
export function remainingMs(deadline: number, now = Date.now()): number {
  return Math.max(1, Math.ceil(deadline - now));
}

/**
 * deadlineNote encodes the TCP notification that carries `ms` (and, when given, each call's own
 * ms in batch order), with its trailing comma, for a batch's head.
 */
export function deadlineNote(ms: number, perCallMs?: readonly number[]): string {
  const list = perCallMs ? `,[${perCallMs.join(',')}]` : '';
  return `{"jsonrpc":"2.0","method":"${DEADLINE_METHOD}","params":[${remainingMs(ms, 0)}${list}]},`;
}

/**
 * takeDeadlineNote splits a parsed TCP message into the batch without its leading deadline note,
 * the milliseconds the note asked for and its per-call list, if any (both undefined when there is
 * no note; the message is then unchanged).
 */
export function takeDeadlineNote(message: unknown): { message: unknown; askedMs: unknown; callMs: unknown } {
  const none = { message, askedMs: undefined, callMs: undefined };
  if (!Array.isArray(message) || message.length < 2) return none;
  const head = message[0] as { method?: unknown; id?: unknown; params?: unknown } | null;
  if (head === null || typeof head !== 'object' || head.method !== DEADLINE_METHOD || 'id' in head) {
    return none;
  }
  const params = Array.isArray(head.params) ? head.params : [];
  return { message: message.slice(1), askedMs: params[0], callMs: params[1] };
}

/**
 * callDeadlinesAt turns a per-call list (an array from the TCP note or the header's comma-separated
 * text) into one absolute deadline per call, each capped like `deadlineAt`; undefined when absent
 * or when its length is not `count`.
 */
export function callDeadlinesAt(
  asked: unknown,
  count: number,
  timeoutMs: number,
  now = Date.now(),
): number[] | undefined {
  const list = typeof asked === 'string' ? asked.split(',') : asked;
  if (!Array.isArray(list) || list.length !== count) return undefined;
  return list.map((ms: unknown) => deadlineAt(ms, timeoutMs, now));
}
