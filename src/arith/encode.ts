/** Encoding of Arith results for the wire. */
import { encodeInteger, type WireMode } from './integer.js';
import type { ArithResult } from './methods.js';

/**
 * encodeResult applies `encodeInteger` to a result: to the bigint itself, or to Divide's
 * `Quo` and `Rem` (returned as a new `{ Quo, Rem }` object). It never loses precision.
 */
export function encodeResult(result: ArithResult, mode: WireMode): unknown {
  if (typeof result === 'bigint') return encodeInteger(result, mode);
  return { Quo: encodeInteger(result.Quo, mode), Rem: encodeInteger(result.Rem, mode) };
}
