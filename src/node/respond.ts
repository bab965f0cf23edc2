import { errorResponse, RPC_ERRORS } from '../protocol/rpc-errors.js';
import { serializeResponse } from '../protocol/wire.js';
import type { MessageHandler } from './admission.js';
import type { CallContext, Handled } from './dispatcher.js';

/** INTERNAL_ERROR_TEXT is the response written when answering failed unexpectedly (-32603, id null). */
export const INTERNAL_ERROR_TEXT = JSON.stringify(
  errorResponse(null, RPC_ERRORS.INTERNAL_ERROR, 'Internal error'),
);

/**
 * respond dispatches one parsed message and gives its response text (undefined when nothing is
 * owed, as for notifications): synchronously when the dispatcher answered synchronously, else as a
 * promise. It never throws and the promise never rejects: a dispatcher or serializer that fails is
 * answered -32603, so no transport can leave a promise unhandled or a request unanswered.
 */
export function respond(
  dispatcher: MessageHandler,
  message: unknown,
  ctx: CallContext,
): string | undefined | Promise<string | undefined> {
  try {
    const handled = dispatcher.handle(message, ctx);
    if (handled instanceof Promise) return handled.then(safeResponseText, internalErrorText);
    return responseText(handled);
  } catch {
    return INTERNAL_ERROR_TEXT;
  }
}

/** responseText serializes a message's answer (undefined when nothing is owed). */
function responseText({ response, exact }: Handled): string | undefined {
  return response === undefined ? undefined : serializeResponse(response, exact);
}

/** safeResponseText is responseText, answered -32603 when serializing fails. */
function safeResponseText(handled: Handled): string | undefined {
  try {
    return responseText(handled);
  } catch {
    return INTERNAL_ERROR_TEXT;
  }
}

function internalErrorText(): string {
  return INTERNAL_ERROR_TEXT;
}
