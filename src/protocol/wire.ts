import { parseExact, stringifyExact } from './exact-json.js';
import { errorResponse, RPC_ERRORS } from './rpc-errors.js';

/** ParsedMessage is either a parsed JSON-RPC message or the `-32700` response owed for bad JSON. */
export type ParsedMessage = { ok: true; message: unknown } | { ok: false; response: unknown };

/**
 * parseMessage decodes one request body or line. Integers beyond the safe range come back as
 * bigint (exact) so the Arith rules can accept them from JSON-RPC 1.0 clients or reject them
 * clearly; malformed JSON yields the JSON-RPC parse error response instead of throwing.
 */
export function parseMessage(text: string): ParsedMessage {
  try {
    return { ok: true, message: parseExact(text) };
  } catch {
    return { ok: false, response: errorResponse(null, RPC_ERRORS.PARSE_ERROR, 'Parse error: invalid JSON') };
  }
}

/** serializeResponse writes a response; with `exactInt64`, bigint values become raw JSON numbers. */
export function serializeResponse(response: unknown, exactInt64: boolean): string {
  return exactInt64 ? stringifyExact(response) : JSON.stringify(response);
}
