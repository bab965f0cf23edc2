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
 * encodeCall writes one JSON-RPC 2.0 request object with id `id`. Params `undefined` omit the
 * `params` member (valid JSON-RPC: the node answers for that call alone).
 * @throws TypeError when the method is not a string or the params are not JSON (a function, a
 * symbol, a bigint, a circular structure, a throwing `toJSON`): only this call is lost.
 */
export function encodeCall(method: string, params: unknown, id: number): string {
  if (typeof method !== 'string') throw new TypeError(`method must be a string, got ${typeof method}`);
  if (params === undefined) return `{"jsonrpc":"2.0","id":${id},"method":${quoted(method)}}`;
  let text: string | undefined;
  try {
    text = JSON.stringify(params);
  } catch (error) {
    throw new TypeError(`${method}: params cannot be encoded as JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (text === undefined)
    throw new TypeError(`${method}: params cannot be encoded as JSON (${typeof params})`);
  return `{"jsonrpc":"2.0","id":${id},"method":${quoted(method)},"params":${text}}`;
}

/**
 * encodeCalls writes `calls` as comma-separated JSON-RPC 2.0 request objects (no brackets) with
 * ids `firstId`, `firstId + 1`, …, in order. A call that cannot be encoded (see encodeCall) is
 * left out and handed to `onBad` with its TypeError; the others keep consecutive ids, in order.
 * Returns the text and the calls it holds (`calls` itself when none was left out).
 */
export function encodeCalls<C extends EncodableCall>(
  calls: readonly C[],
  firstId: number,
  onBad: (call: C, error: TypeError) => void = rethrow,
): { text: string; sent: readonly C[] } {
  let text = '';
  let sent: C[] | undefined;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const count = sent ? sent.length : i;
    let one: string;
    try {
      one = encodeCall(c.method, c.params, firstId + count);
    } catch (error) {
      sent ??= calls.slice(0, i);
      onBad(c, error as TypeError);
      continue;
    }
    if (count > 0) text += ',';
    text += one;
    sent?.push(c);
  }
  return { text, sent: sent ?? calls };
}

function rethrow(_call: unknown, error: TypeError): never {
  throw error;
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
