/**
 * Weighted random balancing. Chosen over nginx's smooth weighted round-robin because that one costs
 * O(n) per pick; a draw over precomputed cumulative weights costs O(log n).
 */
import { accepts, drawCandidate, PROBES, pickNow, strategy, weightsOf } from './pick-candidates.js';
import type { Picker, PickerBuilder, PickOptions, PickTarget, RandomSource } from './picker.js';

/** upperBound returns the first index whose cumulative weight exceeds `r` (clamped to the last). */
function upperBound(cumulative: Float64Array, r: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function buildWeighted<T extends PickTarget>(list: T[], random: RandomSource): Picker<T> {
  const n = list.length;
  const weights = weightsOf(list);
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += weights[i]!;
    cumulative[i] = total;
  }
  return {
    size: n,
    pick(options?: PickOptions): T | undefined {
      const now = pickNow(options);
      const exclude = options?.exclude;
      // Rejection sampling first (exact for the available tier), then an exact two-pass draw.
      for (let k = 0; k < PROBES; k++) {
        const t = list[upperBound(cumulative, random() * total)]!;
        if (accepts(t, exclude, now, false)) return t;
      }
      const i = drawCandidate(list, weights, exclude, now, random);
      return i < 0 ? undefined : list[i];
    },
  };
}

/**
 * weighted builds a picker that draws nodes in proportion to their `weight` among the available,
 * non-excluded ones (among the ejected ones only when none is available): over many picks each
 * node's share converges to its weight over the total. O(log n) per pick while most are available.
 */
export const weighted: PickerBuilder = strategy(buildWeighted);
