/**
 * Exact JSON for the wire: bigints are written as raw JSON numbers, and integer literals
 * beyond ±(2^53−1) are read back as bigints, so a Go client's int64 survives both ways.
 * Both functions take the native JSON fast path when no big integer is involved.
 */
export { parseExact } from './exact-json-parse.js';
export { stringifyExact } from './exact-json-stringify.js';
