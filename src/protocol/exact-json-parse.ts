/**
 * parseExact: JSON.parse that returns integer literals beyond ±(2^53−1) as exact bigints.
 */
import { randomUUID } from 'node:crypto';

/**
 * A random per-process marker. Data cannot carry it by accident; guessing it would need
 * 122 random bits. It uses only characters JSON never escapes.
 */
const MARK = `bigint${randomUUID().replaceAll('-', '')}`;

/**
 * A JSON integer literal of 16+ digits (`\d` spelled out for speed, as below): not part of
 * a fraction or exponent, and not followed by `:`. Invalid literals (a leading zero) and
 * literals in key position are never matched, so the rewrite to a string cannot make
 * invalid text valid: JSON.parse still rejects them.
 */
const LONG_INTEGER = /(?<![\d.eE+-])-?[1-9]\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d*(?![\d.eE])(?!\s*:)/g;
/** A run of 16 digits: `\d{16}` spelled out, which V8 matches about ten times faster. */
const SIXTEEN_DIGITS = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d/;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = -SAFE_MAX;
const REF_INDEX = /^\d+$/;

/**
 * parseExact works like `JSON.parse(text)` but returns integer literals outside
 * ±(2^53−1) as exact `bigint`s; other numbers (fractions, exponents, safe integers) stay
 * numbers, and digits inside strings stay strings. Text without a 16-digit run goes straight
 * to `JSON.parse`.
 * @throws SyntaxError on malformed JSON, like `JSON.parse`.
 */
export function parseExact(text: string): unknown {
  if (!SIXTEEN_DIGITS.test(text)) return JSON.parse(text);
  const bigints: bigint[] = [];
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
 * rewriteOutsideStrings replaces each unsafe integer literal outside JSON strings by a
 * marked string `"<MARK><index>"` and pushes its value on `bigints`. Candidates are found by
 * regex over the whole text; string boundaries are tracked only up to each candidate, by
 * jumping from quote to quote. Unterminated strings are left to JSON.parse to reject.
 */
function rewriteOutsideStrings(text: string, bigints: bigint[]): string {
  let out = '';
  let copied = 0; // text before this index is already in `out`
  let outside = 0; // this index is known to be outside any string
  LONG_INTEGER.lastIndex = 0;
  for (let m = LONG_INTEGER.exec(text); m !== null; m = LONG_INTEGER.exec(text)) {
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
      LONG_INTEGER.lastIndex = outside;
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

function mark(literal: string, bigints: bigint[]): string {
  const n = BigInt(literal);
  if (n >= SAFE_MIN && n <= SAFE_MAX) return literal;
  bigints.push(n);
  return `"${MARK}${bigints.length - 1}"`;
}

/** closingQuote returns the index of the quote closing the string opened at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let at = open + 1;
  for (;;) {
    const q = text.indexOf('"', at);
    if (q === -1) return -1;
    let slashes = 0;
    for (let i = q - 1; text.charCodeAt(i) === 92; i--) slashes++;
    if (slashes % 2 === 0) return q;
    at = q + 1;
  }
}

function lookup(v: unknown, bigints: bigint[]): bigint | undefined {
  if (typeof v !== 'string' || !v.startsWith(MARK)) return undefined;
  const index = v.slice(MARK.length);
  return REF_INDEX.test(index) ? bigints[Number(index)] : undefined;
}

/**
 * restore swaps marked strings back to bigints in place, walking iteratively (no recursion
 * limit) and stopping once all are found (some may be gone, overwritten by a duplicate key).
 * It returns `root`, or the bigint when `root` itself is one.
 */
function restore(root: unknown, bigints: bigint[]): unknown {
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
