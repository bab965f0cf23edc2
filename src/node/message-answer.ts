import { needsExactWriter, type RpcVersion } from '../protocol/json-rpc-request.js';
import { failureResponse } from '../protocol/json-rpc-response.js';
import { RPC_ERRORS, rpcError } from '../protocol/rpc-errors.js';

/** MessageContext is what the message rules need of a call context (the Dispatcher's CallContext). */
export interface MessageContext {
  onReject?: ((reason: 'invalid_request' | 'batch_too_large') => void) | undefined;
}

/** MessageAnswer is a message's answer: the response (undefined when nothing is owed) and its writer. */
export interface MessageAnswer {
  response: unknown;
  /** exact: write with `stringifyExact` (1.0 int64 results, ids beyond what a double holds). */
  exact: boolean;
}

/**
 * AnswerOne answers one request object (undefined for a notification); `index` is its batch
 * position. It may answer synchronously (a plain value: no promise per call) or with a promise.
 */
export type AnswerOne<C> = (
  value: unknown,
  ctx: C,
  index: number | undefined,
) => object | undefined | Promise<object | undefined>;

/**
 * answerMessage applies the JSON-RPC message rules around `one`: a single request, or a batch
 * whose every element gets its own answer (notifications aside; nothing owed when all were). An
 * empty batch or one longer than `maxBatchLength` gets a single -32600 with id null. When every
 * answer is synchronous the message's answer is too (no promise, no microtask per line); else it
 * is a promise. It never throws and the promise never rejects: an unexpected failure is answered
 * -32603. Shared by the node's Dispatcher and the gateway.
 */
export function answerMessage<C extends MessageContext>(
  message: unknown,
  ctx: C,
  maxBatchLength: number,
  one: AnswerOne<C>,
): MessageAnswer | Promise<MessageAnswer> {
  try {
    if (!Array.isArray(message)) {
      const answered = one(message, ctx, undefined);
      return answered instanceof Promise ? later(answered, single) : single(answered);
    }
    if (message.length === 0 || message.length > maxBatchLength) {
      const tooLong = message.length > 0;
      ctx.onReject?.(tooLong ? 'batch_too_large' : 'invalid_request');
      const reason = tooLong
        ? `batch of ${message.length} calls exceeds the limit of ${maxBatchLength}`
        : 'empty batch';
      return { response: invalidRequest(2, null, reason), exact: false };
    }
    const answered = message.map((m, i) => one(m, ctx, i));
    return answered.some((a) => a instanceof Promise) ? later(Promise.all(answered), batch) : batch(answered);
  } catch {
    return internalFailure();
  }
}

/** single frames one request's answer. */
function single(response: object | undefined): MessageAnswer {
  return { response, exact: response !== undefined && exactWriter(response) };
}

/** batch frames a batch's answers, in order, without the notifications'. */
function batch(answers: readonly (object | undefined)[]): MessageAnswer {
  const responses = answers.filter((a) => a !== undefined);
  if (responses.length === 0) return { response: undefined, exact: false };
  return { response: responses, exact: responses.some(exactWriter) };
}

/** later frames answers that come with a promise (one `then`, no async frame); it never rejects. */
function later<T>(answered: Promise<T>, frame: (value: T) => MessageAnswer): Promise<MessageAnswer> {
  return answered.then((value) => {
    try {
      return frame(value);
    } catch {
      return internalFailure();
    }
  }, internalFailure);
}

/** internalFailure is the -32603 answer (id null) to a message whose answering failed unexpectedly. */
function internalFailure(): MessageAnswer {
  return {
    response: failureResponse(2, null, rpcError(RPC_ERRORS.INTERNAL_ERROR, 'Internal error')),
    exact: false,
  };
}

/** invalidRequest is the -32600 response for a malformed request, saying why. */
export function invalidRequest(version: RpcVersion, id: unknown, reason: string): object {
  return failureResponse(version, id, rpcError(RPC_ERRORS.INVALID_REQUEST, `Invalid request: ${reason}`));
}

/** exactWriter: 1.0 responses (int64 results) and responses whose id only stringifyExact writes. */
function exactWriter(response: object): boolean {
  const r = response as { jsonrpc?: unknown; id?: unknown };
  return r.jsonrpc === undefined || needsExactWriter(r.id);
}
