/**
 * Exact integer rules: what the wire may send as an integer, and how an exact result goes
 * back on the wire. Values that cannot be represented exactly are rejected, never rounded.
 */
import { shortInteger } from './bits.js';
import { InvalidParamsError } from './errors.js';
import { type ArithLimits, DEFAULT_ARITH_LIMITS } from './limits.js';

/**
 * WireMode chooses how integers are written back: `json` for JSON clients (a number when it
 * is a safe integer, else a decimal string), `int64` for Go clients (a raw JSON number when
 * it fits int64, else a decimal string).
 */
export type WireMode = 'json' | 'int64';

const DECIMAL = /^-?\d+$/;
const MAX_SHOWN_CHARS = 40;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * describeValue renders a rejected value for an error message without echoing huge input:
 * strings are quoted and cut to about 40 characters, integers of more than 24 digits are named by
 * their digit count, objects and arrays are named by kind.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const shown = value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value;
      return `a string ${JSON.stringify(shown)}${value.length > MAX_SHOWN_CHARS ? ` (${value.length} chars)` : ''}`;
    }
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return shortInteger(value);
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** digitCount returns the number of decimal digits of |n| (1 for 0). */
function digitCount(n: bigint): number {
  const s = n.toString();
  return n < 0n ? s.length - 1 : s.length;
}

function tooManyDigits(name: string, digits: number, limits: ArithLimits): InvalidParamsError {
  return new InvalidParamsError(
    `${name}: integer has ${digits} digits, more than the limit of ${limits.maxDigits}`,
  );
}

function expected(name: string, value: unknown): InvalidParamsError {
  return new InvalidParamsError(`${name}: expected an integer, got ${describeValue(value)}`);
}

/**
 * parseInteger turns one param into an exact bigint. It accepts a safe-integer JS number
 * (-0 is 0), a bigint (from a lossless JSON parse) and a decimal string matching
 * `/^-?\d+$/` (leading zeros allowed; no sign `+`, whitespace or exponent). Inputs with more
 * than `limits.maxDigits` digits are refused.
 * @throws InvalidParamsError naming `name` for anything else: fractions, NaN, ±Infinity,
 * unsafe numbers (the message says to send them as decimal strings), booleans, null,
 * objects, arrays, and empty, oversized or malformed strings.
 */
export function parseInteger(
  value: unknown,
  name: string,
  limits: ArithLimits = DEFAULT_ARITH_LIMITS,
): bigint {
  switch (typeof value) {
    case 'number': {
      if (Number.isSafeInteger(value)) {
        const n = BigInt(value);
        const digits = digitCount(n);
        if (digits > limits.maxDigits) throw tooManyDigits(name, digits, limits);
        return n;
      }
      if (Number.isInteger(value)) {
        throw new InvalidParamsError(
          `${name}: ${describeValue(value)} is not a safe integer; send integers beyond ±(2^53−1) as decimal strings`,
        );
      }
      throw expected(name, value);
    }
    case 'bigint': {
      const digits = digitCount(value);
      if (digits > limits.maxDigits) throw tooManyDigits(name, digits, limits);
      return value;
    }
    case 'string': {
      const digits = value.startsWith('-') ? value.length - 1 : value.length;
      // Check the length first so an oversized string is never scanned by the regex.
      if (digits > limits.maxDigits && DECIMAL.test(value.slice(0, MAX_SHOWN_CHARS))) {
        throw tooManyDigits(name, digits, limits);
      }
      if (digits > limits.maxDigits || !DECIMAL.test(value)) {
        throw new InvalidParamsError(
          `${name}: expected an integer or a decimal integer string, got ${describeValue(value)}`,
        );
      }
      return BigInt(value);
    }
    default:
      throw expected(name, value);
  }
}

/**
 * encodeInteger writes an exact integer for the wire. A safe integer becomes a number in both
 * modes. Beyond it, `json` mode gives a decimal string, and `int64` mode keeps a value within
 * [-2^63, 2^63-1] a bigint (for a serializer that writes raw JSON numbers, such as
 * `stringifyExact`) and gives a decimal string past that. Either way the JSON text is the exact
 * digits; a safe result stays a number so that its response takes `JSON.stringify`'s fast path
 * (a bigint anywhere sends the whole response through the slower exact writer). It never loses
 * precision.
 */
export function encodeInteger(n: bigint, mode: WireMode): number | string | bigint {
  if (n >= SAFE_MIN && n <= SAFE_MAX) return Number(n);
  if (mode === 'int64') return n >= INT64_MIN && n <= INT64_MAX ? n : n.toString();
  return n.toString();
}
