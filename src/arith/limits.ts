/** ArithLimits bound the work and memory one Arith call may use. */
export interface ArithLimits {
  /** maxDigits is the most decimal digits one integer input may have (string or bigint). */
  maxDigits: number;
  /** maxResultBits is the most bits the magnitude of any result may have. */
  maxResultBits: number;
  /** maxListLength is the most values one Sum call may take. */
  maxListLength: number;
  /** maxExponent is the largest exponent Pow accepts when |A| ≥ 2. */
  maxExponent: number;
}

/** DEFAULT_ARITH_LIMITS are the limits used when a caller passes none. */
export const DEFAULT_ARITH_LIMITS: Readonly<ArithLimits> = Object.freeze({
  maxDigits: 4096,
  maxResultBits: 65536,
  maxListLength: 10000,
  maxExponent: 65536,
});
