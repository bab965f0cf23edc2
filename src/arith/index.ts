/**
 * The Arith service as pure functions: methods, params parsing, exact integer rules, typed
 * errors. Nothing here does I/O.
 */
export { bitLength } from './bits.js';
export { encodeResult } from './encode.js';
export {
  ARITH_ERROR_CODES,
  ArithError,
  type ArithErrorOptions,
  DivideByZeroError,
  InvalidParamsError,
  ResultTooLargeError,
} from './errors.js';
export { encodeInteger, parseInteger, type WireMode } from './integer.js';
export { type ArithLimits, DEFAULT_ARITH_LIMITS } from './limits.js';
export {
  ARITH_METHODS,
  type ArithMethod,
  type ArithResult,
  METHOD_NAMES,
} from './methods.js';
export { type BinaryArgs, binaryArgs, listArgs } from './params.js';
