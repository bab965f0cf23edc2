/**
 * The balancer strategies over fake targets (no network). Every picker draws from a seeded random
 * source, so each distribution check sees the same draws on every run: a failure is a real change
 * in behaviour, never an unlucky run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consistentHash, hash32 } from '../../src/client/balance/balancer-consistent-hash.js';
import { p2c } from '../../src/client/balance/balancer-p2c.js';
import { random } from '../../src/client/balance/balancer-random.js';
import { roundRobin } from '../../src/client/balance/balancer-round-robin.js';
import { weighted } from '../../src/client/balance/balancer-weighted.js';
import { BALANCERS, pickerBuilder } from '../../src/client/balance/balancers.js';
import type {
  BalancerName,
  Picker,
  PickerBuilder,
  PickOptions,
  PickTarget,
} from '../../src/client/balance/picker.js';
import { NodeHealth } from '../../src/client/node-health.js';
import { seeded } from '../support/seeded-random.js';

/** FakeTarget is a PickTarget with settable fields; `available` follows `up`, or a real NodeHealth. */
class FakeTarget implements PickTarget {
  up = true;
  inflight = 0;
  latency = 0;
  health: NodeHealth | undefined;
  constructor(
    readonly id: string,
    readonly weight = 1,
  ) {}
  latencyMs(_now: number): number {
    return this.latency;
  }
  available(now: number): boolean {
    return this.health === undefined ? this.up : this.health.available(now);
  }
}

const make = (n: number, weight = (_i: number) => 1): FakeTarget[] =>
  Array.from({ length: n }, (_, i) => new FakeTarget(`n${i}`, weight(i)));

/** tally picks `count` times (option i from `options(i)`) and counts picks per id ('-' for undefined). */
function tally<T extends PickTarget>(
  picker: Picker<T>,
  count: number,
  options: (i: number) => PickOptions = () => ({}),
): Map<string, number> {
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const id = picker.pick(options(i))?.id ?? '-';
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return seen;
}

const NAMES = Object.keys(BALANCERS) as BalancerName[];
/** CASES runs each strategy plain, and consistent-hash also with keys. */
const CASES: [string, PickerBuilder, (i: number) => string | undefined][] = [
  ...NAMES.map((name): [string, PickerBuilder, (i: number) => string | undefined] => [
    name,
    BALANCERS[name],
    () => undefined,
  ]),
  ['consistent-hash (keyed)', consistentHash, (i) => `key-${i}`],
];

/** SEED fixes every picker's draws in this file. */
const SEED = 20_240_601;

describe.each(CASES)('%s: shared rules', (_name, builder, keyOf) => {
  const build = (targets: readonly FakeTarget[]) => builder(targets, seeded(SEED));
  it('reports size and never picks an excluded node', () => {
    const targets = make(10);
    const picker = build(targets);
    expect(picker.size).toBe(10);
    const exclude = new Set(['n1', 'n3', 'n5', 'n7', 'n9']);
    const seen = tally(picker, 3000, (i) => ({ exclude, key: keyOf(i) }));
    for (const id of exclude) expect(seen.has(id)).toBe(false);
    expect(seen.has('-')).toBe(false);
  });

  it('skips ejected nodes (flag or real NodeHealth) while an alternative exists', () => {
    const targets = make(10);
    for (const t of targets.slice(0, 5)) t.up = false;
    for (const t of targets.slice(5, 8)) {
      t.health = new NodeHealth();
      t.health.onFailure('refused', 0);
    }
    const picker = build(targets);
    const seen = tally(picker, 3000, (i) => ({ now: 1, key: keyOf(i) }));
    expect([...seen.keys()].sort()).toEqual(['n8', 'n9']);
    // Once the ejection has passed, the NodeHealth-driven nodes wait for a probe's answer...
    expect(tally(picker, 3000, (i) => ({ now: 60_000, key: keyOf(i) })).has('n5')).toBe(false);
    // ...and are picked again once one answered.
    for (const t of targets.slice(5, 8)) t.health?.onProbe(true, undefined, 60_000);
    const later = tally(picker, 3000, (i) => ({ now: 60_000, key: keyOf(i) }));
    expect(later.get('n5')).toBeGreaterThan(0);
    expect(later.has('n0')).toBe(false);
  });

  it('panics: picks non-excluded ejected nodes when none is available', () => {
    const targets = make(6);
    for (const t of targets) t.up = false;
    const exclude = new Set(['n0', 'n1']);
    const seen = tally(build(targets), 2000, (i) => ({ exclude, key: keyOf(i) }));
    expect(seen.has('-')).toBe(false);
    expect(seen.has('n0') || seen.has('n1')).toBe(false);
  });

  it('prefers an available node to an excluded one and returns undefined only when all are excluded', () => {
    const targets = make(4);
    const picker = build(targets);
    const exclude = new Set(['n0', 'n1', 'n2', 'n3']);
    expect(picker.pick({ exclude, key: keyOf(1) })).toBeUndefined();
    exclude.delete('n2');
    for (let i = 0; i < 100; i++) expect(picker.pick({ exclude, key: keyOf(i) })?.id).toBe('n2');
    const empty = build([]);
    expect(empty.size).toBe(0);
    expect(empty.pick({ key: keyOf(0) })).toBeUndefined();
  });

  it('handles 300 nodes and spreads picks over them', () => {
    const picker = build(make(300));
    const seen = tally(picker, 30_000, (i) => ({ key: keyOf(i) }));
    expect(seen.has('-')).toBe(false);
    expect(seen.size).toBeGreaterThanOrEqual(_name === 'round-robin' ? 300 : 250);
  });
});

describe('random source', () => {
  const DRAWING: [string, PickerBuilder][] = [
    ['p2c', p2c],
    ['round-robin', roundRobin],
    ['random', random],
    ['weighted', weighted],
    ['consistent-hash (no key)', consistentHash],
  ];

  it.each(DRAWING)('%s draws from the source it is given: equal seeds, equal picks', (_name, build) => {
    const targets = make(20, (i) => 1 + (i % 4));
    const picks = (seed: number) => {
      const picker = build(targets, seeded(seed));
      return Array.from({ length: 200 }, () => picker.pick()!.id);
    };
    expect(picks(7)).toEqual(picks(7));
    expect(picks(7)).not.toEqual(picks(8));
  });

  it('random and weighted map the lowest and highest draws to the first and last node', () => {
    const targets = make(5);
    for (const build of [random, weighted, roundRobin]) {
      expect(build(targets, () => 0).pick()!.id).toBe('n0');
      expect(build(targets, () => 0.999_999).pick()!.id).toBe('n4');
    }
  });

  it('defaults to Math.random when no source is given', () => {
    for (const build of Object.values(BALANCERS)) expect(build(make(3)).pick()).toBeDefined();
  });
});

describe('round-robin', () => {
  it('spreads evenly (within ±1) over k·n picks, ejected nodes skipped', () => {
    const targets = make(7);
    const all = tally(roundRobin(targets, seeded(SEED)), 7 * 50);
    for (const c of all.values()) expect(c).toBe(50);
    targets[2]!.up = false;
    const some = tally(roundRobin(targets, seeded(SEED)), 6 * 50 + 3);
    expect(some.has('n2')).toBe(false);
    const counts = [...some.values()];
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('starts at a random node', () => {
    const targets = make(10);
    const first = new Set<string>();
    const random = seeded(SEED);
    for (let i = 0; i < 200; i++) first.add(roundRobin(targets, random).pick()!.id);
    expect(first.size).toBeGreaterThanOrEqual(5);
  });
});

describe('random and weighted distributions', () => {
  const share = (seen: Map<string, number>, id: string, total: number): number => (seen.get(id) ?? 0) / total;

  it('random is uniform and ignores weights', () => {
    const seen = tally(
      random(
        make(3, (i) => i + 1),
        seeded(SEED),
      ),
      60_000,
    );
    for (const id of ['n0', 'n1', 'n2']) expect(Math.abs(share(seen, id, 60_000) - 1 / 3)).toBeLessThan(0.02);
  });

  it('weighted converges to weights 1:2:3', () => {
    const seen = tally(
      weighted(
        make(3, (i) => i + 1),
        seeded(SEED),
      ),
      60_000,
    );
    [1 / 6, 2 / 6, 3 / 6].forEach((want, i) => {
      expect(Math.abs(share(seen, `n${i}`, 60_000) - want)).toBeLessThan(0.02);
    });
  });

  it('weighted keeps the ratios among the rest when a node is excluded or ejected', () => {
    const targets = make(3, (i) => i + 1);
    const excluded = tally(weighted(targets, seeded(SEED)), 60_000, () => ({ exclude: new Set(['n2']) }));
    expect(Math.abs(share(excluded, 'n0', 60_000) - 1 / 3)).toBeLessThan(0.02);
    targets[0]!.up = false;
    const ejected = tally(weighted(targets, seeded(SEED)), 60_000);
    expect(Math.abs(share(ejected, 'n1', 60_000) - 2 / 5)).toBeLessThan(0.02);
    expect(ejected.has('n0')).toBe(false);
  });
});

describe('consistent-hash', () => {
  const owners = (picker: Picker<FakeTarget>, keys: number, options: PickOptions = {}): string[] =>
    Array.from({ length: keys }, (_, i) => picker.pick({ ...options, key: `user-${i}` })?.id ?? '-');

  it('maps a key to the same node, whatever the order of the targets', () => {
    const targets = make(5);
    const a = owners(consistentHash(targets), 2000);
    expect(owners(consistentHash(targets), 2000)).toEqual(a);
    expect(owners(consistentHash([...targets].reverse()), 2000)).toEqual(a);
    const shares = new Map<string, number>();
    for (const id of a) shares.set(id, (shares.get(id) ?? 0) + 1);
    for (const c of shares.values()) expect(c / 2000).toBeGreaterThan(0.1);
  });

  it('moves about 1/n of the keys, all to the new node, when a 4th node joins', () => {
    const targets = make(4);
    const before = owners(consistentHash(targets.slice(0, 3)), 10_000);
    const after = owners(consistentHash(targets), 10_000);
    let moved = 0;
    for (let i = 0; i < before.length; i++) {
      if (before[i] === after[i]) continue;
      moved++;
      expect(after[i]).toBe('n3');
    }
    expect(moved / 10_000).toBeGreaterThan(0.15);
    expect(moved / 10_000).toBeLessThan(0.35);
  });

  it('moves only the keys of an excluded or ejected node, and every key still lands', () => {
    const targets = make(3);
    const base = owners(consistentHash(targets), 10_000);
    const excluded = owners(consistentHash(targets), 10_000, { exclude: new Set(['n1']) });
    targets[1]!.up = false;
    const ejected = owners(consistentHash(targets), 10_000);
    for (const other of [excluded, ejected]) {
      expect(other.filter((id) => id === '-' || id === 'n1')).toEqual([]);
      expect(other.filter((id, i) => base[i] !== 'n1' && id !== base[i])).toEqual([]);
    }
  });

  it('gives heavier nodes more keys and behaves like round-robin without a key', () => {
    const keyed = owners(consistentHash([new FakeTarget('a', 1), new FakeTarget('b', 3)]), 10_000);
    expect(keyed.filter((id) => id === 'b').length / 10_000).toBeGreaterThan(0.6);
    const counts = [...tally(consistentHash(make(5), seeded(SEED)), 500).values()];
    expect(counts).toEqual([100, 100, 100, 100, 100]);
  });

  it('hash32 is a deterministic unsigned 32-bit hash', () => {
    expect(hash32('user-1')).toBe(hash32('user-1'));
    expect(hash32('user-1')).not.toBe(hash32('user-2'));
    for (const s of ['', 'a', 'ключ', 'x'.repeat(1000)]) {
      expect(Number.isInteger(hash32(s)) && hash32(s) >= 0 && hash32(s) < 2 ** 32).toBe(true);
    }
  });
});

describe('p2c', () => {
  it('sends few picks to a node with 10× the latency', () => {
    const targets = make(5);
    for (const t of targets) t.latency = 10;
    targets[0]!.latency = 100;
    const seen = tally(p2c(targets, seeded(SEED)), 10_000);
    expect((seen.get('n0') ?? 0) / 10_000).toBeLessThan(0.2);
    expect(seen.size).toBe(4);
  });

  it('sends fewer picks to a node with many calls in flight', () => {
    const targets = make(5);
    targets[3]!.inflight = 50;
    const seen = tally(p2c(targets, seeded(SEED)), 10_000);
    expect(seen.get('n3') ?? 0).toBeLessThan(Math.min(...[0, 1, 2, 4].map((i) => seen.get(`n${i}`) ?? 0)));
  });

  it('never pairs a node with itself, and divides cost by weight', () => {
    const slow = make(2);
    slow[0]!.latency = 1000;
    expect(tally(p2c(slow, seeded(SEED)), 10_000).get('n0')).toBeUndefined();
    const heavy = [new FakeTarget('light', 1), new FakeTarget('heavy', 10)];
    expect(tally(p2c(heavy, seeded(SEED)), 1000).get('heavy')).toBe(1000);
  });

  it('returns the only candidate, keeps tiers apart and compares cost in panic mode', () => {
    const targets = make(2);
    targets[0]!.latency = 1000;
    expect(tally(p2c(targets, seeded(SEED)), 500, () => ({ exclude: new Set(['n1']) })).get('n0')).toBe(500);
    targets[1]!.up = false; // n1 is faster but ejected: the available n0 wins
    expect(tally(p2c(targets, seeded(SEED)), 500).get('n0')).toBe(500);
    targets[0]!.up = false; // both ejected: panic, lower cost wins
    expect(tally(p2c(targets, seeded(SEED)), 500).get('n1')).toBe(500);
  });
});

describe('pickerBuilder', () => {
  it('resolves names, passes custom builders through and rejects unknown names', () => {
    expect(Object.keys(BALANCERS).sort()).toEqual([
      'consistent-hash',
      'p2c',
      'random',
      'round-robin',
      'weighted',
    ]);
    expect(pickerBuilder('p2c')).toBe(p2c);
    expect(pickerBuilder('round-robin')).toBe(roundRobin);
    const custom: PickerBuilder = (targets) => roundRobin(targets);
    expect(pickerBuilder(custom)).toBe(custom);
    for (const bad of ['least-loaded', 'toString', '']) {
      expect(() => pickerBuilder(bad as BalancerName)).toThrow(TypeError);
    }
    expect(() => pickerBuilder('nope' as BalancerName)).toThrow(
      /p2c, round-robin, random, weighted, consistent-hash/,
    );
  });
});

describe('property: every strategy honours exclude and availability', () => {
  const node = fc.record({
    weight: fc.double({ min: 0.01, max: 100, noNaN: true }),
    up: fc.boolean(),
    excluded: fc.boolean(),
    inflight: fc.nat(20),
    latency: fc.nat(500),
  });
  it('never picks an excluded node, picks an available one whenever one exists', () => {
    fc.assert(
      fc.property(
        fc.array(node, { maxLength: 12 }),
        fc.option(fc.string(), { nil: undefined }),
        fc.integer(),
        (specs, key, seed) => {
          const targets = specs.map((s, i) => Object.assign(new FakeTarget(`n${i}`, s.weight), s));
          const exclude = new Set(targets.filter((_, i) => specs[i]!.excluded).map((t) => t.id));
          const anyLeft = targets.some((t) => !exclude.has(t.id));
          const anyAvailable = targets.some((t) => !exclude.has(t.id) && t.up);
          for (const build of Object.values(BALANCERS)) {
            const picker = build(targets, seeded(seed));
            for (let k = 0; k < 5; k++) {
              const t = picker.pick({ exclude, key, now: 0 });
              if (!anyLeft) {
                expect(t).toBeUndefined();
                continue;
              }
              expect(t).toBeDefined();
              expect(exclude.has(t!.id)).toBe(false);
              if (anyAvailable) expect(t!.up).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
