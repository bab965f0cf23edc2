/**
 * Consistent-hash balancing: a ring of virtual nodes, so equal keys reach the same node while
 * membership holds, and a membership change moves only about 1/n of the keys.
 */
import { roundRobin } from './balancer-round-robin.js';
import { pickNow, strategy, weightsOf } from './pick-candidates.js';
import type { Picker, PickerBuilder, PickOptions, PickTarget, RandomSource } from './picker.js';

/** Virtual nodes per unit of weight, and their bounds per node and per ring. */
const VNODES_PER_WEIGHT = 128;
const MIN_VNODES = 16;
const MAX_VNODES = 2048;
const MAX_RING_POINTS = 1 << 17;
/** Ring points are packed as `hash * OWNER_SPAN + owner` into doubles (exact below 2^53) to sort. */
const OWNER_SPAN = 1 << 20;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** fnv1a continues a 32-bit FNV-1a hash `h` over the UTF-16 code units of `s`. */
function fnv1a(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** fmix32 is murmur3's finalizer: it spreads every input bit over the whole output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * hash32 hashes a string's UTF-16 code units with 32-bit FNV-1a, then mixes the result with
 * murmur3's finalizer (FNV alone spreads similar short strings poorly). Returns an unsigned 32-bit
 * integer; fast and not cryptographic.
 */
export function hash32(s: string): number {
  return fmix32(fnv1a(FNV_OFFSET, s));
}

/** vnodeHash equals `hash32(`${id}#${v}`)` given `prefix = fnv1a(FNV_OFFSET, `${id}#`)`, without building the string. */
function vnodeHash(prefix: number, v: number): number {
  let h = prefix;
  let p = 1;
  while (p * 10 <= v) p *= 10;
  for (; p >= 1; p /= 10) h = Math.imul(h ^ (48 + (Math.floor(v / p) % 10)), FNV_PRIME);
  return fmix32(h);
}

/** vnodeCounts gives each node VNODES_PER_WEIGHT per unit of weight, bounded per node and per ring. */
function vnodeCounts(weights: Float64Array): Uint32Array {
  const counts = new Uint32Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const c = Math.round(VNODES_PER_WEIGHT * weights[i]!);
    counts[i] = Math.min(MAX_VNODES, Math.max(MIN_VNODES, c));
    total += counts[i]!;
  }
  if (total > MAX_RING_POINTS) {
    const scale = MAX_RING_POINTS / total;
    for (let i = 0; i < counts.length; i++) counts[i] = Math.max(1, Math.floor(counts[i]! * scale));
  }
  return counts;
}

/** lowerBound returns the first index whose point is >= h (the ring's length when none is). */
function lowerBound(points: Uint32Array, h: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]! < h) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function buildConsistentHash<T extends PickTarget>(list: T[], random: RandomSource): Picker<T> {
  const n = list.length;
  if (n >= OWNER_SPAN) throw new RangeError(`consistent-hash supports fewer than ${OWNER_SPAN} nodes`);
  const counts = vnodeCounts(weightsOf(list));
  let size = 0;
  for (const c of counts) size += c;
  const packed = new Float64Array(size);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const prefix = fnv1a(FNV_OFFSET, `${list[i]!.id}#`);
    for (let v = 0; v < counts[i]!; v++) packed[k++] = vnodeHash(prefix, v) * OWNER_SPAN + i;
  }
  packed.sort();
  const points = new Uint32Array(size);
  const owners = new Uint32Array(size);
  for (let j = 0; j < size; j++) {
    const p = packed[j]!;
    const owner = p % OWNER_SPAN;
    owners[j] = owner;
    points[j] = (p - owner) / OWNER_SPAN;
  }
  // Per-pick "seen" marks without allocating: a node counts as seen when its stamp equals the epoch.
  const stamps = new Uint32Array(n);
  let epoch = 0;
  const fallback = roundRobin(list, random);

  return {
    size: n,
    pick(options?: PickOptions): T | undefined {
      const key = options?.key;
      if (key === undefined) return fallback.pick(options);
      const now = pickNow(options);
      const exclude = options?.exclude;
      epoch = (epoch + 1) >>> 0;
      if (epoch === 0) {
        stamps.fill(0);
        epoch = 1;
      }
      let j = lowerBound(points, hash32(key));
      let seen = 0;
      let spare = -1;
      // Walk clockwise, looking at each node once, until an available one (or every node) is seen.
      for (let steps = 0; steps < size && seen < n; steps++) {
        if (j === size) j = 0;
        const o = owners[j++]!;
        if (stamps[o] === epoch) continue;
        stamps[o] = epoch;
        seen++;
        const t = list[o]!;
        if (exclude?.has(t.id)) continue;
        if (t.available(now)) return t;
        if (spare < 0) spare = o;
      }
      return spare < 0 ? undefined : list[spare];
    },
  };
}

/**
 * consistentHash builds a picker over a hash ring (128 virtual nodes per unit of weight, 16 to
 * 2,048 per node, at most 131,072 on the ring). `pick({ key })` walks clockwise from the key's hash
 * (binary search) to the first available, non-excluded node, or to the first non-excluded ejected
 * one when none is available. Without a key it behaves like round-robin.
 */
export const consistentHash: PickerBuilder = strategy(buildConsistentHash);
