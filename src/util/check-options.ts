/**
 * Checks of caller-supplied options, one rule per kind of value, so that every public entry point
 * refuses bad input the same way: a TypeError for the wrong type, a RangeError for a value out of
 * range, each naming the option. `undefined` always passes (the option's default applies).
 */

/** MAX_TIMER_MS: the longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** timerMs bounds a computed delay to what setTimeout honours (MAX_TIMER_MS). */
export function timerMs(ms: number): number {
  return ms > MAX_TIMER_MS ? MAX_TIMER_MS : ms;
}

/**
 * checkMs checks a duration in milliseconds: a number >= 0 (TypeError for a non-number, RangeError
 * for NaN or a negative value). `Infinity` and values above MAX_TIMER_MS are clamped to
 * MAX_TIMER_MS, so that no timer overflows and every deadline stays a finite integer-sized number.
 */
export function checkMs(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number')
    throw new TypeError(`${name} must be a number of milliseconds, got ${show(value)}`);
  if (!(value >= 0)) throw new RangeError(`${name} must be a number of milliseconds >= 0, got ${value}`);
  return value > MAX_TIMER_MS ? MAX_TIMER_MS : value;
}

/** checkInt checks an integer option in [min, max]: TypeError for a non-number, RangeError otherwise. */
export function checkInt(
  name: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`${name} must be an integer, got ${show(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new RangeError(`${name} must be an integer ${range}, got ${value}`);
  }
  return value;
}

/** checkOneOf checks an enum-like option: one of `allowed` (TypeError naming them otherwise). */
export function checkOneOf<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new TypeError(
    `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(value)}`,
  );
}

/** checkObject checks that an options argument is an object (or undefined, when `optional`). */
export function checkObject(name: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`${name} must be an object, got ${show(value)}`);
  }
}

/** checkString checks a string option (non-empty unless `allowEmpty`). */
export function checkString(name: string, value: unknown, allowEmpty = false): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${show(value)}`);
  if (!allowEmpty && value === '') throw new TypeError(`${name} must not be empty`);
  return value;
}

/** checkSignal checks an AbortSignal option: TypeError for anything else. */
export function checkSignal(name: string, value: unknown): void {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw new TypeError(`${name} must be an AbortSignal, got ${show(value)}`);
  }
}

/** show renders a bad value for an error message, briefly (never throws). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
