/**
 * Auto-batching of single result writes: `compute` calls that store at about the same time (within
 * one turn of the event loop) share one `storeMany` (put-if-absent transactions of up to 64 keys),
 * as concurrent calls share JSON-RPC batches (the same Batcher). One transaction per result tops
 * out near 1,800/s on one etcd member.
 */
import { Batcher } from '../client/batcher.js';
import { MAX_KEYS_PER_TXN } from './put-if-absent.js';
import type { ResultRecord } from './result-record.js';
import type { StoreOutcome } from './store-many.js';

interface Waiting {
  record: ResultRecord;
  resolve(outcome: StoreOutcome): void;
  reject(error: unknown): void;
}

/** MAX_WRITE_BATCHES_IN_FLIGHT bounds concurrent write transactions per store. */
const MAX_WRITE_BATCHES_IN_FLIGHT = 64;

/**
 * WriteBatcher queues records and stores them together through `store` (storeMany): up to 64 per
 * call, on the next turn of the event loop. A failed call rejects every write in it.
 */
export class WriteBatcher {
  readonly #batcher: Batcher<Waiting>;

  constructor(private readonly store: (records: ResultRecord[]) => Promise<StoreOutcome[]>) {
    this.#batcher = new Batcher<Waiting>({
      maxBatch: MAX_KEYS_PER_TXN,
      maxConcurrent: MAX_WRITE_BATCHES_IN_FLIGHT,
      send: (batch) => this.#send(batch),
    });
  }

  /** put resolves with what became of `record` (stored, agrees, conflict), stored if its key is absent. */
  put(record: ResultRecord): Promise<StoreOutcome> {
    return new Promise((resolve, reject) => this.#batcher.push({ record, resolve, reject }));
  }

  async #send(batch: Waiting[]): Promise<void> {
    try {
      const outcomes = await this.store(batch.map((w) => w.record));
      for (const [i, w] of batch.entries()) w.resolve(outcomes[i]!);
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
