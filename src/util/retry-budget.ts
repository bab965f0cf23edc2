/** A Finagle-style retry budget: retries may add at most a fixed share of load, plus a small floor. */

/** Token units per retry; deposits are rounded to whole units so the arithmetic stays exact. */
const UNIT = 1_000_000;

/** RetryBudgetOptions tune a RetryBudget. */
export interface RetryBudgetOptions {
  /** ratio: retries allowed per first attempt (default 0.2: retries add at most 20% load). */
  ratio?: number;
  /** minPerSecond: retries always allowed per clock second, even without traffic (default 10). */
  minPerSecond?: number;
  /** ttlMs: how long a first attempt's deposit stays usable (default 10 s, whole seconds, coarse). */
  ttlMs?: number;
}

/**
 * RetryBudget bounds retries: each first attempt deposits `ratio` of a token, each retry takes one,
 * oldest deposits first; deposits expire after `ttlMs` (kept in a ring of one bucket per clock
 * second, so a deposit lives between `ttlMs - 1000` and `ttlMs`). On top of that, `minPerSecond`
 * retries are allowed in each clock second. So over any run, retries ≤ ratio × requests +
 * minPerSecond × seconds touched. Every operation is O(1) (O(ttlMs / 1000) at worst).
 */
export class RetryBudget {
  /** ratio is the retries allowed per first attempt. */
  readonly ratio: number;
  /** minPerSecond is the floor of retries allowed per clock second. */
  readonly minPerSecond: number;
  /** ttlMs is the lifetime of a deposit, rounded up to whole seconds. */
  readonly ttlMs: number;
  readonly #deposit: number;
  readonly #buckets: Float64Array;
  #head = 0;
  #second = Number.NEGATIVE_INFINITY;
  #total = 0;
  #freeUsed = 0;

  /** RetryBudget creates an empty budget; throws a RangeError on negative or non-finite options. */
  constructor({ ratio = 0.2, minPerSecond = 10, ttlMs = 10_000 }: RetryBudgetOptions = {}) {
    if (!(Number.isFinite(ratio) && ratio >= 0)) throw new RangeError(`ratio must be >= 0, got ${ratio}`);
    if (!(Number.isFinite(minPerSecond) && minPerSecond >= 0)) {
      throw new RangeError(`minPerSecond must be >= 0, got ${minPerSecond}`);
    }
    if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${ttlMs}`);
    const seconds = Math.ceil(ttlMs / 1000);
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
    this.ttlMs = seconds * 1000;
    this.#deposit = Math.round(ratio * UNIT);
    this.#buckets = new Float64Array(seconds);
  }

  /** onRequest records a first attempt at `now` (ms): deposits `ratio` of a retry token. */
  onRequest(now: number): void {
    this.#advance(now);
    this.#buckets[this.#head]! += this.#deposit;
    this.#total += this.#deposit;
  }

  /** tryWithdraw asks for one retry at `now` (ms): true (and the token is spent) when the budget allows. */
  tryWithdraw(now: number): boolean {
    this.#advance(now);
    if (this.#total >= UNIT) {
      this.#take(UNIT);
      return true;
    }
    if (this.#freeUsed < this.minPerSecond) {
      this.#freeUsed++;
      return true;
    }
    return false;
  }

  /** balance returns how many retries the deposits alone allow at `now` (ms), without the per-second floor. */
  balance(now: number): number {
    this.#advance(now);
    return Math.floor(this.#total / UNIT);
  }

  /** Move to the clock second of `now`, expiring the buckets that fall out of the window. */
  #advance(now: number): void {
    const second = Math.floor(now / 1000);
    if (!(second > this.#second)) return;
    const buckets = this.#buckets;
    const steps = Math.min(second - this.#second, buckets.length);
    for (let k = 0; k < steps; k++) {
      this.#head = this.#head + 1 === buckets.length ? 0 : this.#head + 1;
      this.#total -= buckets[this.#head]!;
      buckets[this.#head] = 0;
    }
    this.#second = second;
    this.#freeUsed = 0;
  }

  /** Spend `units` from the oldest buckets first (the ones that expire soonest). */
  #take(units: number): void {
    const buckets = this.#buckets;
    this.#total -= units;
    let i = this.#head;
    for (let k = 0; k < buckets.length && units > 0; k++) {
      i = i + 1 === buckets.length ? 0 : i + 1;
      const got = Math.min(buckets[i]!, units);
      buckets[i]! -= got;
      units -= got;
    }
  }
}
