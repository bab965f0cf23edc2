import { shortInteger } from '../arith/bits.js';
import { InvalidParamsError } from '../arith/errors.js';
import type { RpcVersion } from '../protocol/json-rpc-request.js';
import { RawNumber } from '../protocol/raw-number.js';

/**
 * rejectInexactNumbers refuses number literals the Arith rules cannot take exactly. In JSON-RPC 2.0
 * integers beyond ±(2^53−1) must travel as decimal strings, because a JavaScript client that sent
 * them as numbers has already rounded them (the wire parser keeps them exact, as bigint, so the
 * error can quote them). In both versions a literal no JavaScript value holds (RawNumber: `1e400`,
 * an integer of more than 20,000 digits) is refused. Messages quote at most a short prefix.
 * Throws InvalidParamsError naming the param; returns nothing when params are clean.
 */
export function rejectInexactNumbers(params: unknown, version: RpcVersion, path = 'params', depth = 0): void {
  if (typeof params === 'bigint' && version === 2) {
    throw new InvalidParamsError(
      `${path}: ${shortInteger(params)} is not a safe integer; send integers beyond ±(2^53−1) as decimal strings`,
    );
  }
  if (params instanceof RawNumber) {
    const what = params.isInteger ? 'integer' : 'number';
    throw new InvalidParamsError(`${path}: ${what} ${params} cannot be read exactly; send a decimal integer`);
  }
  if (params === null || typeof params !== 'object' || depth > 4) return;
  if (Array.isArray(params)) {
    for (let i = 0; i < params.length; i++)
      rejectInexactNumbers(params[i], version, childPath(path, String(i), true), depth + 1);
    return;
  }
  for (const key of Object.keys(params)) {
    const child = (params as Record<string, unknown>)[key];
    rejectInexactNumbers(child, version, childPath(path, key, false), depth + 1);
  }
}

/** The Go-style shape `[{A, B}]` names params by key alone; other paths keep their position. */
function childPath(parent: string, key: string, index: boolean): string {
  const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
  if (index) return parent === 'params' ? `params[${shown}]` : `${parent}[${shown}]`;
  return parent === 'params' || parent === 'params[0]' ? shown : `${parent}.${shown}`;
}
