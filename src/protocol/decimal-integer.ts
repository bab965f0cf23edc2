/**
 * decimalInteger: the exact integer a JSON number literal with a fraction or an exponent denotes,
 * read from its decimal text, never from the double it rounds to.
 */

const LITERAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * decimalInteger returns the integer `literal` denotes exactly (`1.0` → 1n, `12.50e1` → 125n,
 * `9007199254740993.0` → 9007199254740993n), or undefined when the text is not exactly an integer
 * (`4503599627370496.5`, `0.99999999999999999999`, `1e-400`) or not a JSON number literal. Call it
 * only for literals whose double is finite: it builds the integer's digits, so `1e400000` would
 * cost 400,000 of them.
 */
export function decimalInteger(literal: string): bigint | undefined {
  const m = LITERAL.exec(literal);
  if (m === null) return undefined;
  const fraction = m[3] ?? '';
  let digits = m[2]! + fraction;
  let exponent = Number(m[4] ?? '0') - fraction.length;
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  exponent += digits.length - end;
  let start = 0;
  while (start < end && digits.charCodeAt(start) === 48) start++;
  if (start === end) return 0n;
  if (exponent < 0) return undefined;
  digits = digits.slice(start, end);
  const n = BigInt(digits) * 10n ** BigInt(exponent);
  return m[1] === '-' ? -n : n;
}
