/**
 * parseExact: JSON.parse that keeps number literals exact: integers beyond ±(2^53−1) as bigints,
 * literals no JavaScript value holds (`1e400`, `0.99999999999999999999`, an integer of more than
 * 20,000 digits) as RawNumber.
 */
import { randomUUID } from 'node:crypto';
import { decimalInteger } from './decimal-integer.js';
import { closingQuote, mayHaveExponent } from './json-scan.js';
import { RawNumber } from './raw-number.js';

/**
 * A random per-process marker. Data cannot carry it by accident; guessing it would need
 * 122 random bits. It uses only characters JSON never escapes.
 */
const MARK = `bigint${randomUUID().replaceAll('-', '')}`;

/**
 * A JSON number literal that may not survive `JSON.parse` (`\d` spelled out for speed, as below):
 * an integer part of 16+ digits, or any fraction or exponent (its double may be an integer the text
 * is not, or miss the integer the text is). It is not part of a longer literal and not followed by
 * `:`. Invalid literals (a leading zero, `1.`, `1e`) and literals in key position are never
 * matched, so the rewrite to a string cannot make invalid text valid: JSON.parse still rejects them.
 */
const SUSPECT_NUMBER =
  /(?<![\d.eE+-])-?(?:[1-9]\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d*|(?:0|[1-9]\d*)(?=[.eE]))(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\d.eE])(?!\s*:)/g;
/**
 * A run of 16 digits and points: `[\d.]{16}` spelled out, which V8 matches about ten times faster.
 * A literal without an exponent and with fewer digits is read exactly by JSON.parse: an integer below
 * 10^15 is a double exactly, and a fraction of 15 digits is too far from every integer to round to one.
 */
const SIXTEEN_DIGITS = /[\d.][\d.][\d.][\d.][\d.][\d.][\d.][\d.][\d.][\d.][\d.][\d.][\d.][\d.][\d.][\d.]/;
/** FRACTION_OR_EXPONENT tells a literal that is not a plain integer. */
const FRACTION_OR_EXPONENT = /[.eE]/;
/** MAX_EXACT_DIGITS: integer literals longer than this stay RawNumber (BigInt parsing is superlinear). */
export const MAX_EXACT_DIGITS = 20_000;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = -SAFE_MAX;
const REF_INDEX = /^\d+$/;

type Exact = bigint | RawNumber;

/**
 * parseExact works like `JSON.parse(text)` but returns integer literals outside
 * ±(2^53−1) as exact `bigint`s (up to MAX_EXACT_DIGITS digits), and literals that would
 * become ±Infinity or that are longer as RawNumber. A fraction or exponent that denotes an
 * integer exactly is that integer (`1e3`, `9007199254740993.0` as a bigint); one whose double is
 * an integer its text is not (`4503599627370496.5`, `1e-400`) is RawNumber; other fractions stay
 * numbers, and digits inside strings stay strings. Text without a run of 16 digits and points or
 * an exponent goes straight to `JSON.parse`.
 * @throws SyntaxError on malformed JSON, like `JSON.parse`.
 */
export function parseExact(text: string): unknown {
  // An exponent is the other way a literal can round to a double that is not its value.
  if (!SIXTEEN_DIGITS.test(text) && !mayHaveExponent(text)) return JSON.parse(text);
  const bigints: Exact[] = [];
  const rewritten = rewriteOutsideStrings(text, bigints);
  let value: unknown;
  try {
    value = JSON.parse(rewritten);
  } catch (err) {
    JSON.parse(text); // rethrow with positions in the caller's text
    throw err;
  }
  if (bigints.length === 0) return value;
  return restore(value, bigints);
}

/**
 * rewriteOutsideStrings replaces each inexact number literal outside JSON strings by a
 * marked string `"<MARK><index>"` and pushes its exact value on `bigints`. Candidates are found by
 * regex over the whole text; string boundaries are tracked only up to each candidate, by
 * jumping from quote to quote. Unterminated strings are left to JSON.parse to reject.
 */
function rewriteOutsideStrings(text: string, bigints: Exact[]): string {
  let out = '';
  let copied = 0; // text before this index is already in `out`
  let outside = 0; // this index is known to be outside any string
  SUSPECT_NUMBER.lastIndex = 0;
  for (let m = SUSPECT_NUMBER.exec(text); m !== null; m = SUSPECT_NUMBER.exec(text)) {
    const at = m.index;
    let inString = false;
    for (let q = text.indexOf('"', outside); q !== -1 && q < at; q = text.indexOf('"', outside)) {
      const close = closingQuote(text, q);
      if (close === -1) return out + text.slice(copied);
      outside = close + 1;
      if (close > at) {
        inString = true;
        break;
      }
    }
    if (inString) {
      SUSPECT_NUMBER.lastIndex = outside;
      continue;
    }
    const literal = m[0];
    outside = at + literal.length;
    const replacement = mark(literal, bigints);
    if (replacement !== literal) {
      out += text.slice(copied, at) + replacement;
      copied = outside;
    }
  }
  return out + text.slice(copied);
}

/**
 * mark returns `literal` when JSON.parse reads it exactly, else a marked string for its exact value.
 * A fraction or exponent whose double is an integer is that integer only if its text says so
 * exactly (`12.50e1`, `9007199254740993.0`); else (`4503599627370496.5`, `1e-400`) it stays
 * RawNumber, which no integer rule takes. One whose double is not an integer is not one either.
 */
function mark(literal: string, bigints: Exact[]): string {
  let exact: Exact;
  if (FRACTION_OR_EXPONENT.test(literal)) {
    const double = Number(literal);
    if (!Number.isFinite(double)) {
      exact = new RawNumber(literal);
    } else {
      if (!Number.isInteger(double)) return literal;
      const n = decimalInteger(literal);
      if (n !== undefined && n >= SAFE_MIN && n <= SAFE_MAX) return literal;
      exact = n ?? new RawNumber(literal);
    }
  } else if (literal.length - (literal.charCodeAt(0) === 45 ? 1 : 0) > MAX_EXACT_DIGITS) {
    exact = new RawNumber(literal);
  } else {
    const n = BigInt(literal);
    if (n >= SAFE_MIN && n <= SAFE_MAX) return literal;
    exact = n;
  }
  bigints.push(exact);
  return `"${MARK}${bigints.length - 1}"`;
}

function lookup(v: unknown, bigints: Exact[]): Exact | undefined {
  if (typeof v !== 'string' || !v.startsWith(MARK)) return undefined;
  const index = v.slice(MARK.length);
  return REF_INDEX.test(index) ? bigints[Number(index)] : undefined;
}

/**
 * restore swaps marked strings back to their exact values in place, walking iteratively (no recursion
 * limit) and stopping once all are found (some may be gone, overwritten by a duplicate key).
 * It returns `root`, or the exact value when `root` itself is one.
 */
function restore(root: unknown, bigints: Exact[]): unknown {
  const top = lookup(root, bigints);
  if (top !== undefined) return top;
  let found = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0 && found < bigints.length) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        const n = lookup(child, bigints);
        if (n !== undefined) {
          node[i] = n;
          found++;
        } else if (typeof child === 'object' && child !== null) {
          stack.push(child);
        }
      }
      continue;
    }
    const obj = node as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      const child = obj[key];
      const n = lookup(child, bigints);
      if (n !== undefined) {
        // An own "__proto__" (JSON.parse makes one) is a data property: this writes it, not the prototype.
        obj[key] = n;
        found++;
      } else if (typeof child === 'object' && child !== null) {
        stack.push(child);
      }
    }
  }
  return root;
}
