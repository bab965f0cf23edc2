import { errorResponse, RPC_ERRORS } from '../protocol/rpc-errors.js';
import { serializeResponse } from '../protocol/wire.js';
import type { MessageHandler } from './admission.js';
import type { CallContext } from './dispatcher.js';

/** INTERNAL_ERROR_TEXT is the response written when answering failed unexpectedly (-32603, id null). */
export const INTERNAL_ERROR_TEXT = JSON.stringify(
  errorResponse(null, RPC_ERRORS.INTERNAL_ERROR, 'Internal error'),
);

/**
 * respond dispatches one parsed message and writes its response text (undefined when nothing is
 * owed, as for notifications). It never rejects: a dispatcher or serializer that throws is
 * answered -32603, so no transport can leave a promise unhandled or a request unanswered.
 */
export async function respond(
  dispatcher: MessageHandler,
  message: unknown,
  ctx: CallContext,
): Promise<string | undefined> {
  try {
    const { response, exact } = await dispatcher.handle(message, ctx);
    return response === undefined ? undefined : serializeResponse(response, exact);
  } catch {
    return INTERNAL_ERROR_TEXT;
  }
}
