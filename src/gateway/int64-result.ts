/**
 * int64Result gives a forwarded JSON-RPC 1.0 call the result a node would have written for it. The
 * gateway forwards in JSON-RPC 2.0, where integers beyond ±(2^53−1) travel as decimal strings; a
 * node answers 1.0 (Go's net/rpc/jsonrpc) with int64 integers as exact JSON numbers. So decimal
 * strings that fit int64, at the top or one level into an object (Divide's `{Quo, Rem}`), become
 * bigints (written exactly by `stringifyExact`); larger ones stay strings, as on a node.
 */
export function int64Result(result: unknown): unknown {
  if (typeof result === 'string') return toInt64(result);
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return result;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result)) out[key] = toInt64(value);
  return out;
}

const DECIMAL = /^-?\d{1,19}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function toInt64(value: unknown): unknown {
  if (typeof value !== 'string' || !DECIMAL.test(value)) return value;
  const n = BigInt(value);
  return n >= INT64_MIN && n <= INT64_MAX ? n : value;
}
