import { parseExact, stringifyExact } from './exact-json.js';
import { exceedsDepth, MAX_JSON_DEPTH } from './json-scan.js';
import { errorResponse, RPC_ERRORS } from './rpc-errors.js';

/** ParseRefusal names why a message got no further than parsing. */
export type ParseRefusal = 'parse_error' | 'nesting_too_deep';

/**
 * ParsedMessage is either a parsed JSON-RPC message or the error response owed instead
 * (`-32700` for bad JSON, `-32600` for JSON nested past MAX_JSON_DEPTH) and the reason.
 */
export type ParsedMessage =
  | { ok: true; message: unknown }
  | { ok: false; response: unknown; reason: ParseRefusal };

/**
 * parseMessage decodes one request body or line. Integers beyond the safe range come back as
 * bigint (exact) so the Arith rules can accept them from JSON-RPC 1.0 clients or reject them
 * clearly, and literals no JavaScript value holds as RawNumber. Text nested deeper than
 * MAX_JSON_DEPTH is refused before parsing; malformed JSON yields the JSON-RPC parse error
 * response. It never throws.
 */
export function parseMessage(text: string): ParsedMessage {
  try {
    if (exceedsDepth(text)) {
      const message = `Invalid request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`;
      const response = errorResponse(null, RPC_ERRORS.INVALID_REQUEST, message);
      return { ok: false, response, reason: 'nesting_too_deep' };
    }
    return { ok: true, message: parseExact(text) };
  } catch {
    const response = errorResponse(null, RPC_ERRORS.PARSE_ERROR, 'Parse error: invalid JSON');
    return { ok: false, response, reason: 'parse_error' };
  }
}

/** serializeResponse writes a response; with `exact`, bigints and RawNumbers become raw JSON numbers. */
export function serializeResponse(response: unknown, exact: boolean): string {
  return exact ? stringifyExact(response) : JSON.stringify(response);
}
