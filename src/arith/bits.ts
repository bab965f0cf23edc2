/** Bit-size helpers used to bound results before and after computing them. */

const SAFE_LIMIT = 1n << 53n;
const TWO_32 = 4294967296;

/** bitLength returns the number of bits of |n| (0 for 0), like Go's `big.Int.BitLen`. */
export function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const abs = n < 0n ? -n : n;
  if (abs < SAFE_LIMIT) {
    // Exact in a double: count with clz32 on the high and low 32-bit halves, no string.
    const x = Number(abs);
    return x < TWO_32 ? 32 - Math.clz32(x) : 64 - Math.clz32(Math.floor(x / TWO_32));
  }
  const hex = abs.toString(16);
  const lead = Number.parseInt(hex.charAt(0), 16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(lead));
}

/**
 * shortInteger renders an operand for an error message: the digits when short, otherwise
 * a `<N-digit integer>` placeholder so huge inputs are not echoed back.
 */
export function shortInteger(n: bigint): string {
  const s = n.toString();
  const digits = n < 0n ? s.length - 1 : s.length;
  return digits <= 24 ? s : `<${n < 0n ? 'negative ' : ''}${digits}-digit integer>`;
}
