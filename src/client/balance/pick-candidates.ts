/**
 * Candidate filtering shared by the balancer strategies (internal): exclusion, the available tier,
 * the panic tier (non-excluded but ejected nodes, used only when no available node is left), and
 * allocation-free random draws over either tier.
 */
import type { Picker, PickerBuilder, PickOptions, PickTarget, RandomSource } from './picker.js';

/** PROBES is how many blind random draws a strategy tries before it counts candidates exactly. */
export const PROBES = 3;

const EMPTY: Picker<never> = Object.freeze({ size: 0, pick: (): undefined => undefined });

/** emptyPicker returns the shared picker over no nodes: `pick()` always returns undefined. */
export function emptyPicker<T extends PickTarget>(): Picker<T> {
  return EMPTY;
}

/**
 * strategy makes a PickerBuilder of `build`, which gets its own copy of a non-empty target list
 * (no targets: the shared empty picker) and the random source (default `Math.random`).
 */
export function strategy(
  build: <T extends PickTarget>(list: T[], random: RandomSource) => Picker<T>,
): PickerBuilder {
  return (targets, random = Math.random) =>
    targets.length === 0 ? emptyPicker() : build(targets.slice(), random);
}

/** pickNow returns `options.now`, or `performance.now()` when it is unset. */
export function pickNow(options: PickOptions | undefined): number {
  const now = options?.now;
  return now === undefined ? performance.now() : now;
}

/**
 * accepts tells whether `t` may be picked in a tier: never when excluded; otherwise always in the
 * panic tier, and only while available in the normal tier.
 */
export function accepts(
  t: PickTarget,
  exclude: ReadonlySet<string> | undefined,
  now: number,
  panic: boolean,
): boolean {
  if (exclude?.has(t.id)) return false;
  return panic || t.available(now);
}

/**
 * weightsOf precomputes the targets' weights; a weight that is not a finite number > 0 counts as 1
 * (a bad value from discovery must not break balancing).
 */
export function weightsOf(targets: readonly PickTarget[]): Float64Array {
  const weights = new Float64Array(targets.length);
  for (let i = 0; i < targets.length; i++) {
    const w = targets[i]!.weight;
    weights[i] = Number.isFinite(w) && w > 0 ? w : 1;
  }
  return weights;
}

/**
 * scanFrom returns the index of the first available, non-excluded target at or after `start`
 * (wrapping around); failing that the first non-excluded one (panic mode); -1 when all are excluded.
 */
export function scanFrom(
  targets: readonly PickTarget[],
  start: number,
  exclude: ReadonlySet<string> | undefined,
  now: number,
): number {
  const n = targets.length;
  let spare = -1;
  for (let k = 0, i = start; k < n; k++) {
    const t = targets[i]!;
    if (exclude === undefined || !exclude.has(t.id)) {
      if (t.available(now)) return i;
      if (spare < 0) spare = i;
    }
    i = i + 1 === n ? 0 : i + 1;
  }
  return spare;
}

/**
 * probe draws up to PROBES uniform random indices other than `skip` and returns the first that is
 * available and not excluded, or -1. Rejection sampling: a hit is uniform over the available tier.
 */
export function probe(
  targets: readonly PickTarget[],
  exclude: ReadonlySet<string> | undefined,
  now: number,
  skip: number,
  random: RandomSource,
): number {
  const span = skip < 0 ? targets.length : targets.length - 1;
  if (span <= 0) return -1;
  for (let k = 0; k < PROBES; k++) {
    let i = (random() * span) | 0;
    if (skip >= 0 && i >= skip) i++;
    if (accepts(targets[i]!, exclude, now, false)) return i;
  }
  return -1;
}

/**
 * drawIndex draws one index among the targets a tier accepts (other than `skip`), uniformly or in
 * proportion to `weights`, in two passes without allocating; -1 when the tier is empty.
 */
export function drawIndex(
  targets: readonly PickTarget[],
  weights: Float64Array | undefined,
  exclude: ReadonlySet<string> | undefined,
  now: number,
  panic: boolean,
  skip: number,
  random: RandomSource,
): number {
  const n = targets.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (i !== skip && accepts(targets[i]!, exclude, now, panic))
      total += weights === undefined ? 1 : weights[i]!;
  }
  if (total === 0) return -1;
  let r = random() * total;
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (i === skip || !accepts(targets[i]!, exclude, now, panic)) continue;
    last = i;
    r -= weights === undefined ? 1 : weights[i]!;
    if (r < 0) return i;
  }
  return last;
}

/**
 * drawCandidate draws from the available tier, or from the panic tier when that is empty; -1 only
 * when every target is excluded.
 */
export function drawCandidate(
  targets: readonly PickTarget[],
  weights: Float64Array | undefined,
  exclude: ReadonlySet<string> | undefined,
  now: number,
  random: RandomSource,
): number {
  const i = drawIndex(targets, weights, exclude, now, false, -1, random);
  return i >= 0 ? i : drawIndex(targets, weights, exclude, now, true, -1, random);
}
