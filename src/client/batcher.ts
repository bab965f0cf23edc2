/** BatcherOptions: how big a batch may grow and how many may be in flight at once. */
export interface BatcherOptions<T> {
  /** maxBatch: most items per batch; a full batch is sent at once. */
  maxBatch: number;
  /** maxConcurrent: most batches in flight; items queue (and batches grow) beyond it. */
  maxConcurrent: number;
  /** send delivers one batch; it must settle every item itself and never reject. */
  send: (items: T[]) => Promise<void>;
}

/**
 * Batcher groups items pushed in the same tick into batches (auto-batching): an item pushed while
 * nothing is in flight goes at once; otherwise it flushes on the next `setImmediate`, or at once
 * when `maxBatch` items wait. With `maxConcurrent` batches in flight,
 * new items wait and go out in larger batches as slots free up, so load adapts the batch size.
 */
export class Batcher<T> {
  readonly #opts: BatcherOptions<T>;
  #queue: T[] = [];
  #scheduled = false;
  #inflight = 0;

  constructor(opts: BatcherOptions<T>) {
    this.#opts = opts;
  }

  /** queued is the number of items waiting for a batch. */
  get queued(): number {
    return this.#queue.length;
  }

  /** inflight is the number of batches being sent. */
  get inflight(): number {
    return this.#inflight;
  }

  /** push adds an item; it goes out in this tick's batch (or the next free slot's). */
  push(item: T): void {
    // Idle node: send at once. A lone caller then pays no batching hop; under load something is
    // always in flight, so calls queue and go out together.
    if (this.#inflight === 0 && this.#queue.length === 0) {
      this.#queue.push(item);
      this.#flush();
      return;
    }
    this.#queue.push(item);
    if (this.#queue.length >= this.#opts.maxBatch) this.#flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#flush();
      });
    }
  }

  /** pushAll adds items that belong together: they go out at once, in as few batches as maxBatch allows. */
  pushAll(items: readonly T[]): void {
    for (const item of items) this.#queue.push(item);
    this.#flush(); // with every slot busy, the next batch to finish sends them
  }

  #flush(): void {
    while (this.#queue.length > 0 && this.#inflight < this.#opts.maxConcurrent) {
      let items: T[];
      if (this.#queue.length <= this.#opts.maxBatch) {
        items = this.#queue;
        this.#queue = [];
      } else {
        items = this.#queue.splice(0, this.#opts.maxBatch);
      }
      this.#inflight++;
      void this.#opts.send(items).finally(() => {
        this.#inflight--;
        // Calls pushed while this batch was answered have a flush scheduled: it takes them all in
        // one batch, instead of this one sending the first few of them at once.
        if (this.#queue.length > 0 && !this.#scheduled) this.#flush();
      });
    }
  }
}
