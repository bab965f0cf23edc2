/**
 * Limiter bounds how many calls run at once (backpressure): beyond `max`, callers wait in FIFO order
 * for a slot, so 100,000 concurrent calls hold 100,000 small waiters, not sockets or batches.
 */
export class Limiter {
  #active = 0;
  readonly #waiters: (() => void)[] = [];
  #head = 0;

  constructor(readonly max: number) {}

  /** active is the number of slots in use. */
  get active(): number {
    return this.#active;
  }

  /** waiting is the number of callers queued for a slot. */
  get waiting(): number {
    return this.#waiters.length - this.#head;
  }

  /** acquire resolves when a slot is free; pair every acquire with one release. */
  acquire(): Promise<void> | undefined {
    if (this.#active < this.max && this.waiting === 0) {
      this.#active++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** release frees a slot, handing it to the longest waiter if any. */
  release(): void {
    if (this.waiting > 0) {
      const next = this.#waiters[this.#head]!;
      this.#head++;
      if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
        this.#waiters.splice(0, this.#head);
        this.#head = 0;
      }
      next();
      return;
    }
    this.#active--;
  }
}
