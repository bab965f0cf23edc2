/**
 * Params shapes accepted by the Arith methods: named (`{ "A": 7, "B": 8 }`), Go net/rpc
 * style (`[{ "A": 7, "B": 8 }]`) and positional (`[7, 8]`). Only own properties are read, so
 * a `__proto__` key (which JSON.parse creates as an own key) is just an unexpected param.
 */
import { InvalidParamsError } from './errors.js';
import { describeValue, parseInteger } from './integer.js';
import { type ArithLimits, DEFAULT_ARITH_LIMITS } from './limits.js';

/** BinaryArgs are the two operands of a binary Arith method. */
export interface BinaryArgs {
  A: bigint;
  B: bigint;
}

type Record_ = Record<string, unknown>;

function isPlainObject(value: unknown): value is Record_ {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * unwrapNamed returns the named-params object of `params` (either the object itself or the
 * single object inside a one-element array, as Go's net/rpc/jsonrpc sends), or undefined
 * when `params` is positional.
 */
function unwrapNamed(params: unknown): Record_ | undefined {
  if (isPlainObject(params)) return params;
  if (Array.isArray(params) && params.length === 1 && isPlainObject(params[0])) return params[0];
  return undefined;
}

/**
 * checkKeys throws for the first missing or unexpected key of a named-params object; only
 * own enumerable keys count.
 */
function checkKeys(obj: Record_, allowed: readonly string[]): void {
  for (const key of allowed) {
    if (!Object.hasOwn(obj, key)) throw new InvalidParamsError(`missing param ${key}`);
  }
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new InvalidParamsError(`unexpected param ${describeKey(key)}`);
    }
  }
}

function describeKey(key: string): string {
  return key.length > 40 ? `${key.slice(0, 40)}…` : key;
}

function notParams(params: unknown, shape: string): InvalidParamsError {
  if (params === undefined || params === null) {
    return new InvalidParamsError(`missing params: expected ${shape}`);
  }
  return new InvalidParamsError(`params: expected ${shape}, got ${describeValue(params)}`);
}

const BINARY_KEYS = ['A', 'B'] as const;
const BINARY_SHAPE = '{"A": int, "B": int}, [{"A": int, "B": int}] or [A, B]';

/**
 * binaryArgs reads the operands A and B from `{ "A": 7, "B": 8 }`, `[{ "A": 7, "B": 8 }]` or
 * `[7, 8]`, each parsed exactly by `parseInteger`.
 * @throws InvalidParamsError for null/undefined or non-object params, a missing A or B, any
 * other key (`unexpected param C`), a positional list whose length is not 2, or an operand
 * that is not an exact integer.
 */
export function binaryArgs(params: unknown, limits: ArithLimits = DEFAULT_ARITH_LIMITS): BinaryArgs {
  const named = unwrapNamed(params);
  if (named !== undefined) {
    checkKeys(named, BINARY_KEYS);
    return { A: parseInteger(named.A, 'A', limits), B: parseInteger(named.B, 'B', limits) };
  }
  if (!Array.isArray(params)) throw notParams(params, BINARY_SHAPE);
  if (params.length !== 2) {
    throw new InvalidParamsError(`params: expected 2 positional params [A, B], got ${params.length}`);
  }
  return { A: parseInteger(params[0], 'A', limits), B: parseInteger(params[1], 'B', limits) };
}

const LIST_KEYS = ['Values'] as const;
const LIST_SHAPE = '{"Values": [int, ...]}, [{"Values": [int, ...]}] or [int, ...]';

/**
 * listArgs reads the values of Sum from `{ "Values": [1, 2, "3"] }`, `[{ "Values": [...] }]`
 * or positional `[1, 2, 3]`; an empty list is allowed.
 * @throws InvalidParamsError for null/undefined or non-object params, a missing `Values` or
 * any other key, a `Values` that is not an array, more than `limits.maxListLength` values,
 * or a value that is not an exact integer (named like `Values[3]`).
 */
export function listArgs(params: unknown, limits: ArithLimits = DEFAULT_ARITH_LIMITS): bigint[] {
  let values: unknown;
  const named = unwrapNamed(params);
  if (named !== undefined) {
    checkKeys(named, LIST_KEYS);
    values = named.Values;
    if (!Array.isArray(values)) {
      throw new InvalidParamsError(`Values: expected an array of integers, got ${describeValue(values)}`);
    }
  } else if (Array.isArray(params)) {
    values = params;
  } else {
    throw notParams(params, LIST_SHAPE);
  }
  const list = values as readonly unknown[];
  if (list.length > limits.maxListLength) {
    throw new InvalidParamsError(
      `Values: ${list.length} values is more than the limit of ${limits.maxListLength}`,
    );
  }
  const out: bigint[] = [];
  for (let i = 0; i < list.length; i++) out.push(parseInteger(list[i], `Values[${i}]`, limits));
  return out;
}
