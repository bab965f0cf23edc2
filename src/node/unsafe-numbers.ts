import { InvalidParamsError } from '../arith/errors.js';

/**
 * rejectUnsafeNumbers enforces the JSON-RPC 2.0 number rule: integers beyond ±(2^53−1) must travel
 * as decimal strings, because a JavaScript client that sent them as numbers has already rounded
 * them. The wire parser keeps such literals exact (as bigint) so the error can quote the digits.
 * Throws InvalidParamsError naming the param; returns nothing when params are clean.
 */
export function rejectUnsafeNumbers(params: unknown, path = 'params', depth = 0): void {
  if (typeof params === 'bigint') {
    throw new InvalidParamsError(
      `${path}: ${params} is not a safe integer; send integers beyond ±(2^53−1) as decimal strings`,
    );
  }
  if (params === null || typeof params !== 'object' || depth > 4) return;
  if (Array.isArray(params)) {
    for (let i = 0; i < params.length; i++)
      rejectUnsafeNumbers(params[i], childPath(path, String(i), true), depth + 1);
    return;
  }
  for (const key of Object.keys(params)) {
    rejectUnsafeNumbers((params as Record<string, unknown>)[key], childPath(path, key, false), depth + 1);
  }
}

/** The Go-style shape `[{A, B}]` names params by key alone; other paths keep their position. */
function childPath(parent: string, key: string, index: boolean): string {
  if (index) return parent === 'params' ? `params[${key}]` : `${parent}[${key}]`;
  return parent === 'params' || parent === 'params[0]' ? key : `${parent}.${key}`;
}
