/**
 * The batch codec: how the SDK frames a group of calls as JSON-RPC 2.0 requests for one node, and
 * how it matches the node's replies to them. Ids are consecutive from `firstId`, so a reply finds
 * its call by index (no Map on the hot path); both transports carry the same encoded calls.
 */

/** EncodableCall is what a request needs: a method name and JSON-serialisable params. */
export interface EncodableCall {
  method: string;
  params: unknown;
}

/** Reply is the part of a JSON-RPC response the SDK reads: a result or an error object. */
export interface Reply {
  result?: unknown;
  error?: unknown;
}

const QUOTED = new Map<string, string>();

/** quoted returns a method name as a JSON string literal, cached (a client uses few methods). */
function quoted(method: string): string {
  let q = QUOTED.get(method);
  if (q === undefined) {
    q = JSON.stringify(method);
    if (QUOTED.size < 1024) QUOTED.set(method, q);
  }
  return q;
}

/**
 * encodeCalls writes `calls` as comma-separated JSON-RPC 2.0 request objects (no brackets) with
 * ids `firstId`, `firstId + 1`, …, in order.
 */
export function encodeCalls(calls: readonly EncodableCall[], firstId: number): string {
  let body = '';
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    if (i > 0) body += ',';
    body += `{"jsonrpc":"2.0","id":${firstId + i},"method":${quoted(c.method)},"params":${JSON.stringify(c.params)}}`;
  }
  return body;
}

/**
 * routeReplies hands each reply whose id is one of the batch's (`firstId` .. `firstId + count - 1`)
 * to `onReply` with its call's index, at most once per call (a repeated id is ignored, as is any
 * other id). Returns which calls got a reply, by index.
 */
export function routeReplies(
  replies: readonly unknown[],
  firstId: number,
  count: number,
  onReply: (index: number, reply: Reply) => void,
): boolean[] {
  const answered = new Array<boolean>(count).fill(false);
  for (const reply of replies as ({ id?: unknown } & Reply)[]) {
    const index = typeof reply?.id === 'number' ? reply.id - firstId : -1;
    if (!(index >= 0 && index < count) || answered[index]) continue;
    answered[index] = true;
    onReply(index, reply);
  }
  return answered;
}
