/**
 * The liveness ping, a JSON-RPC extension (JSON-RPC 2.0 reserves `rpc.` names): the request
 * `{"jsonrpc":"2.0","id":"p1","method":"rpc.ping"}` is answered `{"jsonrpc":"2.0","id":"p1","result":"pong"}`
 * by the transport itself, at once, ahead of calls queued on the same connection and outside
 * admission limits. The SDK sends it when a TCP connection with calls outstanding has been silent,
 * and to probe an ejected node; Go clients never send it.
 */

/** PING_METHOD: the method name of the liveness ping. */
export const PING_METHOD = 'rpc.ping';

/** PONG: the result a node answers a ping with. */
export const PONG = 'pong';

/** MAX_PING_CHARS: a message longer than this is never taken for a ping (pings are tiny). */
const MAX_PING_CHARS = 256;

/** pingRequest encodes a ping with id `id` (a string, so it never collides with call ids). */
export function pingRequest(id: string): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"${PING_METHOD}"}`;
}

/**
 * pingReply returns the answer to `text` when it is a ping (a single request object, method
 * `rpc.ping`, a string or number id), else undefined; cheap for anything that is not one.
 */
export function pingReply(text: string): string | undefined {
  if (text.length > MAX_PING_CHARS || !text.includes(PING_METHOD)) return undefined;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = message as { method?: unknown; id?: unknown } | null;
  if (m === null || typeof m !== 'object' || Array.isArray(m) || m.method !== PING_METHOD) return undefined;
  if (typeof m.id !== 'string' && typeof m.id !== 'number') return undefined;
  return JSON.stringify({ jsonrpc: '2.0', id: m.id, result: PONG });
}

/** isPong tells whether a parsed reply answers a ping with id `id`. */
export function isPong(reply: unknown, id: string): boolean {
  const r = reply as { id?: unknown; result?: unknown } | null;
  return r !== null && typeof r === 'object' && r.id === id && r.result === PONG;
}
