import type { TransportKind } from './errors.js';

/** Per-node outlier ejection with a circuit breaker and doubling, jittered ejection times. */

/** NodeState is the breaker state of a node at some instant. */
export type NodeState = 'closed' | 'ejected' | 'half-open';

/** NodeHealthOptions tune ejection. */
export interface NodeHealthOptions {
  /** baseMs: the first ejection's duration (default 100 ms). */
  baseMs?: number;
  /** maxMs: the longest ejection (default 10 s); jitter never takes an ejection past it. */
  maxMs?: number;
  /** failureThreshold: consecutive `reset`/`server` failures that eject a closed node (default 3). */
  failureThreshold?: number;
  /** random: the jitter's source of numbers in [0, 1) (default `Math.random`; for tests). */
  random?: () => number;
}

/**
 * NodeHealth decides whether a node may be picked. Closed: `refused` and `timeout` eject at once,
 * `reset` and `server` eject after `failureThreshold` consecutive failures. Ejected: unavailable
 * until `ejectedUntil`; each consecutive ejection doubles the time (base → max, ±20% jitter).
 * Half-open (the ejection has passed, no success since): still unavailable to user calls; the owner
 * probes the node itself (`probeDue`, `startProbe`, `onProbe`) and user calls go back only after a
 * probe (or a call) answered. A probe that timed out is followed by the next at once (its wait was
 * the pace: a frozen node is re-admitted as soon as it answers); any other probe failure ejects
 * again, for twice as long. A failure in half-open (a panic-mode call) ejects again at once.
 * Failures reported while ejected (calls that were already in flight) change nothing.
 */
export class NodeHealth {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #threshold: number;
  readonly #random: () => number;
  #failures = 0;
  #streak = 0;
  #ejections = 0;
  #until = 0;
  #probing = false;

  /** NodeHealth creates a closed breaker; throws a RangeError on inconsistent options. */
  constructor({
    baseMs = 100,
    maxMs = 10_000,
    failureThreshold = 3,
    random = Math.random,
  }: NodeHealthOptions = {}) {
    if (!(Number.isFinite(baseMs) && baseMs > 0)) throw new RangeError(`baseMs must be > 0, got ${baseMs}`);
    if (!(Number.isFinite(maxMs) && maxMs >= baseMs))
      throw new RangeError(`maxMs must be >= baseMs, got ${maxMs}`);
    if (!(Number.isInteger(failureThreshold) && failureThreshold >= 1)) {
      throw new RangeError(`failureThreshold must be an integer >= 1, got ${failureThreshold}`);
    }
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
    this.#threshold = failureThreshold;
    this.#random = random;
  }

  /** ejections counts every ejection so far (for metrics). */
  get ejections(): number {
    return this.#ejections;
  }

  /** ejectedUntil is the clock reading (ms) at which the current or last ejection ends; 0 if none. */
  get ejectedUntil(): number {
    return this.#until;
  }

  /** failures counts consecutive failures since the last success or ejection. */
  get failures(): number {
    return this.#failures;
  }

  /** available tells whether user calls may be sent to the node at `now`: only while closed. */
  available(_now: number): boolean {
    return this.#streak === 0;
  }

  /** state returns the breaker state at `now`. */
  state(now: number): NodeState {
    if (now < this.#until) return 'ejected';
    return this.#streak > 0 ? 'half-open' : 'closed';
  }

  /** probeDue tells whether the owner should probe the node now: half-open and no probe running. */
  probeDue(now: number): boolean {
    return this.#streak > 0 && now >= this.#until && !this.#probing;
  }

  /** probing is true between `startProbe` and `onProbe`. */
  get probing(): boolean {
    return this.#probing;
  }

  /** startProbe marks a probe as running (so `probeDue` says no until `onProbe`). */
  startProbe(): void {
    this.#probing = true;
  }

  /**
   * onProbe records a probe's outcome at `now`: an answer closes the breaker; a `timeout` leaves
   * the node half-open with the next probe due at once; any other failure ejects again.
   */
  onProbe(ok: boolean, kind: TransportKind | undefined, now: number): void {
    this.#probing = false;
    if (ok) this.onSuccess();
    else if (kind === 'timeout') this.#until = Math.min(this.#until, now);
    else if (this.#streak > 0 && now >= this.#until) this.#eject(now);
  }

  /** onSuccess closes the breaker: clears failures and the ejection backoff. */
  onSuccess(): void {
    this.#failures = 0;
    this.#streak = 0;
    this.#until = 0;
  }

  /** onFailure records a transport failure at `now`; returns true when it ejected the node. */
  onFailure(kind: TransportKind, now: number): boolean {
    if (now < this.#until) return false;
    if (this.#streak > 0 || kind === 'refused' || kind === 'timeout') return this.#eject(now);
    this.#failures++;
    return this.#failures >= this.#threshold ? this.#eject(now) : false;
  }

  #eject(now: number): boolean {
    this.#failures = 0;
    this.#streak++;
    this.#ejections++;
    const nominal = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(this.#streak - 1, 52));
    const jittered = nominal * (0.8 + 0.4 * this.#random());
    this.#until = now + Math.min(this.#maxMs, jittered);
    return true;
  }
}
