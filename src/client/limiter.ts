import type { CallDeadline } from './call-deadline.js';
import { DeadlineExceededError, OverloadedError } from './errors.js';

/**
 * LimiterWaiter is one caller queued for a slot: in the FIFO, and in its deadline group if it has
 * one. It is the whole record of a queued call (no closure, no promise of the limiter's own): the
 * limiter calls `granted` when it hands the waiter a slot, or `refused` when it leaves the queue.
 */
export abstract class LimiterWaiter {
  prev: LimiterWaiter | undefined = undefined;
  next: LimiterWaiter | undefined = undefined;
  groupPrev: LimiterWaiter | undefined = undefined;
  groupNext: LimiterWaiter | undefined = undefined;
  group: DeadlineGroup | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  constructor(
    /** signal: the caller's signal, if any: the waiter leaves the queue when it aborts. */
    readonly signal: AbortSignal | undefined,
    /** at: when this waiter's deadline passes (`Date.now()` time; Infinity: never). */
    readonly at: number,
  ) {}

  /** granted: the waiter holds a slot now (pair it with one `release`). */
  abstract granted(): void;

  /** refused: the waiter left the queue (or never entered it) without a slot, for `error`. */
  abstract refused(error: unknown): void;
}

/** PromiseWaiter is `acquire`'s waiter: it settles the promise `acquire` returned. */
class PromiseWaiter extends LimiterWaiter {
  constructor(
    readonly resolve: () => void,
    readonly reject: (error: unknown) => void,
    signal: AbortSignal | undefined,
    at: number,
  ) {
    super(signal, at);
  }

  granted(): void {
    this.resolve();
  }

  refused(error: unknown): void {
    this.reject(error);
  }
}

/**
 * DeadlineGroup holds the waiters with one deadline length, oldest first: their deadlines pass in
 * that order, so one timer (armed for the oldest) serves them all, not one timer per waiter.
 */
class DeadlineGroup {
  head: LimiterWaiter | undefined;
  tail: LimiterWaiter | undefined;
  timer: NodeJS.Timeout | undefined;
  constructor(readonly ms: number) {}
}

/**
 * Limiter bounds how many calls run at once (backpressure): beyond `max`, callers wait in FIFO
 * order for a slot, at most `maxQueued` of them (more fail fast with OverloadedError), so 100,000
 * concurrent calls hold 100,000 small waiters, not sockets or batches. A waiter whose signal
 * aborts or whose deadline passes leaves the queue at once, freeing its place.
 */
export class Limiter {
  #active = 0;
  #waiting = 0;
  #head: LimiterWaiter | undefined;
  #tail: LimiterWaiter | undefined;
  #closed: Error | undefined;
  readonly #groups = new Map<number, DeadlineGroup>();

  /** Limiter creates a limiter; throws a RangeError unless `max` ≥ 1 and `maxQueued` ≥ 0 are integers (or Infinity). */
  constructor(
    readonly max: number,
    readonly maxQueued = Number.POSITIVE_INFINITY,
  ) {
    if (!(Number.isInteger(max) && max >= 1))
      throw new RangeError(`maxInflight must be an integer >= 1, got ${max}`);
    if (!((Number.isInteger(maxQueued) && maxQueued >= 0) || maxQueued === Number.POSITIVE_INFINITY)) {
      throw new RangeError(`maxQueued must be an integer >= 0 or Infinity, got ${maxQueued}`);
    }
  }

  /** active is the number of slots in use. */
  get active(): number {
    return this.#active;
  }

  /** waiting is the number of callers queued for a slot. */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * acquire takes a slot: undefined when one was free, else a promise that resolves when one is
   * handed over. It rejects with `signal.reason` when the signal aborts, with DeadlineExceededError
   * when `deadline` passes first, with OverloadedError when `maxQueued` callers already wait, and
   * with the close reason after `close`. Pair every successful acquire with one `release`.
   */
  acquire(signal?: AbortSignal, deadline?: CallDeadline): Promise<void> | undefined {
    if (this.tryAcquire()) return undefined;
    return new Promise<void>((resolve, reject) => {
      const at = deadline?.at ?? Number.POSITIVE_INFINITY;
      this.enqueue(new PromiseWaiter(resolve, reject, signal, at), deadline?.ms);
    });
  }

  /** tryAcquire takes a slot when one is free and nobody waits for one (then pair it with `release`). */
  tryAcquire(): boolean {
    if (this.#closed || this.#active >= this.max || this.#waiting > 0) return false;
    this.#active++;
    return true;
  }

  /**
   * enqueue queues `w` for a slot (`acquire` without a promise of its own): `w.granted` runs when it
   * is handed one, `w.refused` when its signal aborts, when its deadline (`w.at`, of length
   * `deadlineMs`) passes, on `close`, or at once when the limiter is closed, the signal already
   * aborted, the deadline already past, or `maxQueued` callers already wait. Call it only when
   * `tryAcquire` failed.
   */
  enqueue(w: LimiterWaiter, deadlineMs?: number): void {
    const refusal = this.#refusal(w, deadlineMs);
    if (refusal !== undefined) {
      w.refused(refusal);
      return;
    }
    const signal = w.signal;
    this.#push(w);
    if (deadlineMs !== undefined && Number.isFinite(w.at)) this.#pushGroup(w, deadlineMs);
    if (signal) {
      w.onAbort = () => this.#leave(w, signal.reason);
      signal.addEventListener('abort', w.onAbort, { once: true });
    }
  }

  /** #refusal is why `w` may not queue at all, or undefined when it may. */
  #refusal(w: LimiterWaiter, deadlineMs: number | undefined): unknown {
    if (this.#closed) return this.#closed;
    if (w.signal?.aborted) return w.signal.reason ?? new Error('aborted');
    if (deadlineMs !== undefined && w.at <= Date.now()) return new DeadlineExceededError(deadlineMs);
    if (this.#waiting < this.maxQueued) return undefined;
    const why = `${this.max} calls in flight and ${this.#waiting} waiting (maxQueued)`;
    return new OverloadedError(`client queue is full: ${why}`, undefined);
  }

  /** release frees a slot, handing it to the longest waiter if any. */
  release(): void {
    const next = this.#head;
    if (next === undefined) {
      this.#active--;
      return;
    }
    this.#unlink(next);
    next.granted();
  }

  /** close rejects every waiter with `reason`, and every later acquire; slots in use stay theirs. */
  close(reason: Error): void {
    this.#closed = reason;
    while (this.#head) this.#leave(this.#head, reason);
  }

  #push(w: LimiterWaiter): void {
    w.prev = this.#tail;
    if (this.#tail) this.#tail.next = w;
    else this.#head = w;
    this.#tail = w;
    this.#waiting++;
  }

  #pushGroup(w: LimiterWaiter, ms: number): void {
    let g = this.#groups.get(ms);
    if (g === undefined) {
      g = new DeadlineGroup(ms);
      this.#groups.set(ms, g);
    }
    w.group = g;
    w.groupPrev = g.tail;
    if (g.tail) g.tail.groupNext = w;
    else g.head = w;
    g.tail = w;
    if (g.timer === undefined) this.#arm(g);
  }

  /** #arm sets the group's timer for its oldest waiter (which may leave first: the timer re-arms). */
  #arm(g: DeadlineGroup): void {
    const wait = Math.max(1, g.head!.at - Date.now());
    g.timer = setTimeout(() => this.#expire(g), wait);
  }

  #expire(g: DeadlineGroup): void {
    g.timer = undefined;
    const now = Date.now();
    while (g.head !== undefined && g.head.at <= now) this.#leave(g.head, new DeadlineExceededError(g.ms));
    if (g.head !== undefined) this.#arm(g);
  }

  #leave(w: LimiterWaiter, error: unknown): void {
    if (w.prev === undefined && this.#head !== w) return; // already handed a slot, or gone
    this.#unlink(w);
    w.refused(error);
  }

  #unlink(w: LimiterWaiter): void {
    if (w.prev) w.prev.next = w.next;
    else this.#head = w.next;
    if (w.next) w.next.prev = w.prev;
    else this.#tail = w.prev;
    w.prev = undefined;
    w.next = undefined;
    this.#waiting--;
    if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
    const g = w.group;
    if (g === undefined) return;
    if (w.groupPrev) w.groupPrev.groupNext = w.groupNext;
    else g.head = w.groupNext;
    if (w.groupNext) w.groupNext.groupPrev = w.groupPrev;
    else g.tail = w.groupPrev;
    w.group = undefined;
    if (g.head === undefined) {
      clearTimeout(g.timer);
      this.#groups.delete(g.ms);
    }
  }
}
