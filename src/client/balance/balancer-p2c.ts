/** Power-of-two-choices balancing on peak-EWMA cost (as in Finagle and Linkerd). */
import { drawIndex, pickNow, probe, strategy, weightsOf } from './pick-candidates.js';
import type { Picker, PickerBuilder, PickOptions, PickTarget, RandomSource } from './picker.js';

function buildP2c<T extends PickTarget>(list: T[], random: RandomSource): Picker<T> {
  const n = list.length;
  const weights = weightsOf(list);
  const cost = (i: number, now: number): number => {
    const t = list[i]!;
    return ((t.latencyMs(now) + 1) * (t.inflight + 1)) / weights[i]!;
  };
  return {
    size: n,
    pick(options?: PickOptions): T | undefined {
      const now = pickNow(options);
      const exclude = options?.exclude;
      let panic = false;
      let a = probe(list, exclude, now, -1, random);
      if (a < 0) a = drawIndex(list, undefined, exclude, now, false, -1, random);
      if (a < 0) {
        panic = true;
        a = drawIndex(list, undefined, exclude, now, true, -1, random);
        if (a < 0) return undefined;
      }
      // The second choice comes from the same tier as the first and is never the same node.
      let b = panic ? -1 : probe(list, exclude, now, a, random);
      if (b < 0) b = drawIndex(list, undefined, exclude, now, panic, a, random);
      if (b < 0 || cost(a, now) <= cost(b, now)) return list[a];
      return list[b];
    },
  };
}

/**
 * p2c builds a picker that draws two distinct random nodes from the available, non-excluded ones
 * (from the ejected ones only when none is available) and returns the one with the lower cost
 * `(latencyMs(now) + 1) * (inflight + 1) / weight`; with one candidate it returns that one.
 * O(1) per pick while most nodes are available.
 */
export const p2c: PickerBuilder = strategy(buildP2c);
