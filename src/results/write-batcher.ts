/**
 * Auto-batching of single result writes: `compute` calls that store at about the same time (within
 * one turn of the event loop) share put-if-absent transactions of up to 64 keys, as concurrent
 * calls share JSON-RPC batches (the same Batcher). One transaction per result tops out near
 * 1,800/s on one etcd member.
 */
import type { Etcd3 } from 'etcd3';
import { Batcher } from '../client/batcher.js';
import {
  MAX_KEYS_PER_TXN,
  type PutIfAbsentItem,
  type PutIfAbsentOutcome,
  putIfAbsent,
} from './put-if-absent.js';

interface Waiting {
  item: PutIfAbsentItem;
  resolve(outcome: PutIfAbsentOutcome): void;
  reject(error: unknown): void;
}

/** MAX_WRITE_BATCHES_IN_FLIGHT bounds concurrent write transactions per store. */
const MAX_WRITE_BATCHES_IN_FLIGHT = 64;

/**
 * WriteBatcher queues put-if-absent writes and sends them together: up to 64 per transaction, on
 * the next turn of the event loop. A key named twice in one batch goes in a later transaction of
 * the same flush (etcd refuses a transaction that names a key twice). A failed transaction
 * rejects every write in it.
 */
export class WriteBatcher {
  readonly #batcher: Batcher<Waiting>;

  constructor(private readonly etcd: Etcd3) {
    this.#batcher = new Batcher<Waiting>({
      maxBatch: MAX_KEYS_PER_TXN,
      maxConcurrent: MAX_WRITE_BATCHES_IN_FLIGHT,
      send: (batch) => this.#send(batch),
    });
  }

  /** put resolves with the outcome of storing `item` if its key is absent. */
  put(item: PutIfAbsentItem): Promise<PutIfAbsentOutcome> {
    return new Promise((resolve, reject) => this.#batcher.push({ item, resolve, reject }));
  }

  async #send(batch: Waiting[]): Promise<void> {
    let rest = batch;
    while (rest.length > 0) {
      const keys = new Set<string>();
      const round: Waiting[] = [];
      const later: Waiting[] = [];
      for (const w of rest) {
        if (keys.has(w.item.key)) later.push(w);
        else {
          keys.add(w.item.key);
          round.push(w);
        }
      }
      try {
        const outcomes = await putIfAbsent(
          this.etcd,
          round.map((w) => w.item),
        );
        for (const [i, w] of round.entries()) w.resolve(outcomes[i]!);
      } catch (error) {
        for (const w of round) w.reject(error);
      }
      rest = later;
    }
  }
}
