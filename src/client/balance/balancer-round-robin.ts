/** Round-robin balancing: every available node in turn. */
import { pickNow, scanFrom, strategy } from './pick-candidates.js';
import type { Picker, PickerBuilder, PickOptions, PickTarget, RandomSource } from './picker.js';

function buildRoundRobin<T extends PickTarget>(list: T[], random: RandomSource): Picker<T> {
  const n = list.length;
  // A random start, so that many clients built at once do not all hit the first node first.
  let next = (random() * n) | 0;
  return {
    size: n,
    pick(options?: PickOptions): T | undefined {
      const i = scanFrom(list, next, options?.exclude, pickNow(options));
      if (i < 0) return undefined;
      next = i + 1 === n ? 0 : i + 1;
      return list[i];
    },
  };
}

/**
 * roundRobin builds a picker that rotates through the nodes from a random start, skipping excluded
 * and ejected ones (ejected ones are used only when nothing else is left). Usually O(1) per pick;
 * O(n) only while many nodes are ejected.
 */
export const roundRobin: PickerBuilder = strategy(buildRoundRobin);
