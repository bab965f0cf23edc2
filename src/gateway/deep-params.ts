/**
 * Params too deep to forward. The gateway forwards each call as an element of a JSON-RPC batch, two
 * levels (batch array, request object) around its params, while a caller's single request puts one
 * around them; so params a node reads at its nesting bound would reach it one level past the bound
 * and be refused -32600 as a whole. The gateway answers those calls itself, as a node would.
 */
import { ArithError } from '../arith/errors.js';
import { DEFAULT_ARITH_LIMITS } from '../arith/limits.js';
import { ARITH_METHODS } from '../arith/methods.js';
import { MAX_JSON_DEPTH } from '../protocol/json-scan.js';
import { RPC_ERRORS } from '../protocol/rpc-errors.js';

/** MAX_FORWARDED_DEPTH: the deepest params a forwarded call can carry within a node's MAX_JSON_DEPTH. */
export const MAX_FORWARDED_DEPTH = MAX_JSON_DEPTH - 2;

/**
 * nestsDeeper reports whether `value` opens more than `max` arrays or objects inside one another. It
 * recurses at most `max` + 1 levels (params that reach the gateway nest at most MAX_JSON_DEPTH).
 */
export function nestsDeeper(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max === 0) return true;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) if (nestsDeeper(child, max - 1)) return true;
  return false;
}

/**
 * refuseLikeANode throws what a node answers a call of `method` with `params` it cannot forward:
 * the Arith method's own InvalidParamsError (no Arith params nest more than 3 deep, so params too
 * deep always throw), or Method not found for a method the node does not serve; -32602 with
 * `reason` should the method take the params.
 */
export function refuseLikeANode(
  method: string,
  params: unknown,
  reason = `params nest deeper than ${MAX_FORWARDED_DEPTH} levels`,
): never {
  const run = ARITH_METHODS.get(method);
  if (run === undefined) throw new ArithError('Method not found', RPC_ERRORS.METHOD_NOT_FOUND);
  run(params, DEFAULT_ARITH_LIMITS);
  throw new ArithError(reason, RPC_ERRORS.INVALID_PARAMS);
}
