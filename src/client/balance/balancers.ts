/** The built-in balancer strategies by name. */
import { consistentHash } from './balancer-consistent-hash.js';
import { p2c } from './balancer-p2c.js';
import { random } from './balancer-random.js';
import { roundRobin } from './balancer-round-robin.js';
import { weighted } from './balancer-weighted.js';
import type { BalancerName, PickerBuilder } from './picker.js';

/** BALANCERS maps each BalancerName to its PickerBuilder. */
export const BALANCERS: Readonly<Record<BalancerName, PickerBuilder>> = Object.freeze({
  p2c,
  'round-robin': roundRobin,
  random,
  weighted,
  'consistent-hash': consistentHash,
});

/**
 * pickerBuilder resolves a strategy: a custom PickerBuilder passes through, a BalancerName maps to
 * the built-in one. Throws a TypeError listing the valid names for anything else.
 */
export function pickerBuilder(name: BalancerName | PickerBuilder): PickerBuilder {
  if (typeof name === 'function') return name;
  if (typeof name === 'string' && Object.hasOwn(BALANCERS, name)) return BALANCERS[name];
  throw new TypeError(
    `unknown balancer ${JSON.stringify(name)}; valid names: ${Object.keys(BALANCERS).join(', ')}`,
  );
}
