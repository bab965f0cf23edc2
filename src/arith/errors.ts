/**
 * Typed errors of the Arith service. Each class carries the JSON-RPC error `code` that a
 * transport puts on the wire, so transports never have to guess a code from a message.
 */

/** ARITH_ERROR_CODES lists the JSON-RPC error codes that Arith methods can answer with. */
export const ARITH_ERROR_CODES = {
  INVALID_PARAMS: -32602,
  DIVIDE_BY_ZERO: 1001,
  RESULT_TOO_LARGE: 1002,
} as const;

/** ArithErrorOptions are the standard `ErrorOptions` (`cause`) plus optional JSON-RPC `data`. */
export interface ArithErrorOptions extends ErrorOptions {
  /** data is sent as the JSON-RPC error's `data` member when present. */
  data?: unknown;
}

/**
 * ArithError is the base class of every error an Arith method throws on purpose. It is an
 * answer (an application error), never a transport failure, so callers must not retry it.
 */
export class ArithError extends Error {
  /** code is the JSON-RPC error code to send. */
  readonly code: number;
  /** data is optional extra detail for the JSON-RPC error's `data` member (absent, not undefined, when unset). */
  declare readonly data?: unknown;
  override name = 'ArithError';

  /** ArithError creates an error with a JSON-RPC `code`; `options.cause` is chained. */
  constructor(message: string, code: number, options?: ArithErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options !== undefined && 'data' in options) {
      Object.defineProperty(this, 'data', { value: options.data, enumerable: true });
    }
  }
}

/**
 * InvalidParamsError (code -32602) reports params that are missing, unexpected, of the wrong
 * type or out of range; its message names the param and the reason, e.g.
 * `A: expected an integer, got 1.5`.
 */
export class InvalidParamsError extends ArithError {
  override name = 'InvalidParamsError';

  /** InvalidParamsError creates an invalid-params error with the given message. */
  constructor(message: string, options?: ArithErrorOptions) {
    super(message, ARITH_ERROR_CODES.INVALID_PARAMS, options);
  }
}

/** DivideByZeroError (code 1001) is thrown by Divide and Mod when B is 0; its message is `divide by zero`. */
export class DivideByZeroError extends ArithError {
  override name = 'DivideByZeroError';

  /** DivideByZeroError creates the error with the message `divide by zero`, as Go's example does. */
  constructor(options?: ArithErrorOptions) {
    super('divide by zero', ARITH_ERROR_CODES.DIVIDE_BY_ZERO, options);
  }
}

/**
 * ResultTooLargeError (code 1002) is thrown when a result would exceed the configured bit
 * bound; its message names the call and the bound, e.g.
 * `result too large: Pow(10, 100000) would exceed 65536 bits`.
 */
export class ResultTooLargeError extends ArithError {
  override name = 'ResultTooLargeError';
  /** maxBits is the bound the result would have exceeded. */
  readonly maxBits: number;

  /** ResultTooLargeError creates the error for `expression` (e.g. `Pow(10, 100000)`) and `maxBits`. */
  constructor(expression: string, maxBits: number, options?: ArithErrorOptions) {
    super(
      `result too large: ${expression} would exceed ${maxBits} bits`,
      ARITH_ERROR_CODES.RESULT_TOO_LARGE,
      options,
    );
    this.maxBits = maxBits;
  }
}
