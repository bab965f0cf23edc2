/** Uniform random balancing. */
import { drawCandidate, pickNow, probe, strategy } from './pick-candidates.js';
import type { Picker, PickerBuilder, PickOptions, PickTarget, RandomSource } from './picker.js';

function buildRandom<T extends PickTarget>(list: T[], random: RandomSource): Picker<T> {
  const n = list.length;
  return {
    size: n,
    pick(options?: PickOptions): T | undefined {
      const now = pickNow(options);
      const exclude = options?.exclude;
      let i = probe(list, exclude, now, -1, random);
      if (i < 0) i = drawCandidate(list, undefined, exclude, now, random);
      return i < 0 ? undefined : list[i];
    },
  };
}

/**
 * random builds a picker that draws uniformly among the available, non-excluded nodes (among the
 * ejected ones only when none is available). O(1) per pick while most nodes are available; an
 * exact two-pass draw otherwise, so the choice stays uniform either way.
 */
export const random: PickerBuilder = strategy(buildRandom);
