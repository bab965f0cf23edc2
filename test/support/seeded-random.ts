/**
 * A seeded source of numbers in [0, 1) (mulberry32), for tests whose outcome depends on random
 * draws: the same seed gives the same draws on every run, so a distribution check cannot flake.
 */

/** seeded returns a `Math.random`-like function whose draws are fixed by `seed` (any 32-bit integer). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
