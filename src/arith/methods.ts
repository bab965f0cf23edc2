/**
 * The Arith methods as pure functions of (params, limits). Every result is exact; a result
 * that would exceed `limits.maxResultBits` is refused with ResultTooLargeError instead.
 * Division follows Go: the quotient truncates toward zero and the remainder has the sign of
 * the dividend, which is exactly what BigInt's `/` and `%` do.
 */
import { bitLength, shortInteger } from './bits.js';
import { DivideByZeroError, InvalidParamsError, ResultTooLargeError } from './errors.js';
import type { ArithLimits } from './limits.js';
import { binaryArgs, listArgs } from './params.js';

/** ArithResult is what a method returns: one integer, or Divide's quotient and remainder. */
export type ArithResult = bigint | { Quo: bigint; Rem: bigint };

/**
 * ArithMethod is one Arith method: it parses `params` and returns an exact result.
 * It throws ArithError subclasses (InvalidParamsError, DivideByZeroError, ResultTooLargeError).
 */
export type ArithMethod = (params: unknown, limits: ArithLimits) => ArithResult;

/** checked returns `n`, or throws ResultTooLargeError naming `expression` if |n| has too many bits. */
function checked(n: bigint, expression: () => string, limits: ArithLimits): bigint {
  if (bitLength(n) > limits.maxResultBits) throw new ResultTooLargeError(expression(), limits.maxResultBits);
  return n;
}

function call(method: string, a: bigint, b: bigint): string {
  return `${method}(${shortInteger(a)}, ${shortInteger(b)})`;
}

/** add returns A + B. */
const add: ArithMethod = (params, limits) => {
  const { A, B } = binaryArgs(params, limits);
  return checked(A + B, () => call('Add', A, B), limits);
};

/** subtract returns A − B. */
const subtract: ArithMethod = (params, limits) => {
  const { A, B } = binaryArgs(params, limits);
  return checked(A - B, () => call('Subtract', A, B), limits);
};

/** multiply returns A × B, refusing before computing when the product surely has too many bits. */
const multiply: ArithMethod = (params, limits) => {
  const { A, B } = binaryArgs(params, limits);
  const expression = () => call('Multiply', A, B);
  // |A·B| has bitLength(A) + bitLength(B) − 1 or bitLength(A) + bitLength(B) bits.
  if (A !== 0n && B !== 0n && bitLength(A) + bitLength(B) - 1 > limits.maxResultBits) {
    throw new ResultTooLargeError(expression(), limits.maxResultBits);
  }
  return checked(A * B, expression, limits);
};

/** divide returns { Quo: A / B, Rem: A % B } truncated toward zero, like Go's int `/` and `%`. */
const divide: ArithMethod = (params, limits) => {
  const { A, B } = binaryArgs(params, limits);
  if (B === 0n) throw new DivideByZeroError();
  return { Quo: A / B, Rem: A % B };
};

/** mod returns A % B with Go's sign rule: the remainder has the sign of A (or is 0). */
const mod: ArithMethod = (params, limits) => {
  const { A, B } = binaryArgs(params, limits);
  if (B === 0n) throw new DivideByZeroError();
  return A % B;
};

/**
 * pow returns A^B for B ≥ 0 (0^0 = 1). |A| ≤ 1 is answered at once for any B. For |A| ≥ 2 the
 * size is bounded before computing: B above `maxExponent`, or a lower bound on the result's
 * bits above `maxResultBits`, is refused; the exact size is then checked on the result.
 */
const pow: ArithMethod = (params, limits) => {
  const { A, B } = binaryArgs(params, limits);
  if (B < 0n) throw new InvalidParamsError(`B: exponent must be ≥ 0, got ${shortInteger(B)}`);
  if (A === 0n) return B === 0n ? 1n : 0n;
  if (A === 1n) return 1n;
  if (A === -1n) return B % 2n === 0n ? 1n : -1n;
  const tooLarge = () => new ResultTooLargeError(call('Pow', A, B), limits.maxResultBits);
  if (B > BigInt(limits.maxExponent)) throw tooLarge();
  const exponent = Number(B);
  const bits = bitLength(A);
  // (bits − 1)·B + 1 ≤ bitLength(|A|^B) ≤ bits·B: refuse when even the lower bound is too big.
  if ((bits - 1) * exponent + 1 > limits.maxResultBits) throw tooLarge();
  // Past the check above the result has at most maxResultBits + B bits, so computing is cheap.
  const result = A ** B;
  if (bitLength(result) > limits.maxResultBits) throw tooLarge();
  return result;
};

/** sum returns the sum of the values (0 for none). */
const sum: ArithMethod = (params, limits) => {
  const values = listArgs(params, limits);
  let total = 0n;
  for (const v of values) total += v;
  return checked(total, () => `Sum(${values.length} values)`, limits);
};

/** ParamsShape is how a method reads its params: `binary` (A and B, see binaryArgs) or `list` (Values, see listArgs). */
export type ParamsShape = 'binary' | 'list';

/** METHOD_TABLE: the one table of Arith methods: JSON-RPC name, implementation, params shape. */
const METHOD_TABLE: ReadonlyArray<readonly [string, ArithMethod, ParamsShape]> = [
  ['Arith.Add', add, 'binary'],
  ['Arith.Subtract', subtract, 'binary'],
  ['Arith.Multiply', multiply, 'binary'],
  ['Arith.Divide', divide, 'binary'],
  ['Arith.Mod', mod, 'binary'],
  ['Arith.Pow', pow, 'binary'],
  ['Arith.Sum', sum, 'list'],
];

/** ARITH_METHODS maps each JSON-RPC method name (e.g. `Arith.Multiply`) to its pure implementation. */
export const ARITH_METHODS: ReadonlyMap<string, ArithMethod> = new Map<string, ArithMethod>(
  METHOD_TABLE.map(([name, method]) => [name, method]),
);

/** PARAMS_SHAPES maps each method name to its params shape. */
const PARAMS_SHAPES: ReadonlyMap<string, ParamsShape> = new Map(
  METHOD_TABLE.map(([name, , shape]) => [name, shape]),
);

/** paramsShape is the params shape of the Arith method `name`, or undefined for any other name. */
export function paramsShape(name: string): ParamsShape | undefined {
  return PARAMS_SHAPES.get(name);
}

/** METHOD_NAMES lists the served method names, in a stable order. */
export const METHOD_NAMES: readonly string[] = Object.freeze([...ARITH_METHODS.keys()]);
