/**
 * The one write path of results: `storeMany` stores records with put-if-absent transactions (the
 * first writer wins) and, for every key it finds stored already, reads the stored record back and
 * says whether it agrees. `ResultsStore.compute` (through its WriteBatcher) and bulk jobs both
 * store through it.
 */
import type { Etcd3 } from 'etcd3';
import { type PutIfAbsentItem, type PutIfAbsentOutcome, putIfAbsent } from './put-if-absent.js';
import { parseResultRecord, type ResultRecord, sameAnswer, serializeResultRecord } from './result-record.js';

/**
 * StoreOutcome is what became of one record: `stored` (this call created the key), `agrees` (an
 * equal record was there already: the same computation with the same answer, e.g. stored by an
 * earlier try whose answer was lost), or `conflict` with the record stored there (or, when the
 * stored value is not a result record, `unreadable` saying why).
 */
export type StoreOutcome =
  | { status: 'stored'; stored?: undefined; unreadable?: undefined }
  | { status: 'agrees' | 'conflict'; stored: ResultRecord; unreadable?: undefined }
  | { status: 'conflict'; stored?: undefined; unreadable: Error };

/**
 * storeMany stores each record under `prefix + record.key` if that key is absent and resolves with
 * one outcome per record, in order. Up to `keysPerTxn` keys (default 64) go in one transaction: one flat transaction when
 * every key is fresh, else one that decides each key on its own (see putIfAbsent). A key named
 * twice goes in a later round, so the second record is compared with the first. Any etcd failure
 * rejects the whole call; some records may be stored by then, and calling again is safe (they
 * come back as `agrees`).
 */
export async function storeMany(
  etcd: Etcd3,
  prefix: string,
  records: readonly ResultRecord[],
  keysPerTxn?: number,
): Promise<StoreOutcome[]> {
  const outcomes = new Array<StoreOutcome>(records.length);
  let pending = records.map((_, i) => i);
  while (pending.length > 0) {
    const { now, later } = distinctKeys(records, pending);
    const items = now.map(
      (i): PutIfAbsentItem => ({ key: prefix + records[i]!.key, value: serializeResultRecord(records[i]!) }),
    );
    const puts = await putIfAbsent(etcd, items, keysPerTxn);
    now.forEach((i, j) => {
      outcomes[i] = settle(records[i]!, puts[j]!);
    });
    pending = later;
  }
  return outcomes;
}

/** distinctKeys splits record indices into a round whose keys are distinct and the rest (later rounds). */
function distinctKeys(
  records: readonly ResultRecord[],
  indices: readonly number[],
): { now: number[]; later: number[] } {
  const keys = new Set<string>();
  const now: number[] = [];
  const later: number[] = [];
  for (const i of indices) {
    const key = records[i]!.key;
    if (keys.has(key)) later.push(i);
    else {
      keys.add(key);
      now.push(i);
    }
  }
  return { now, later };
}

/** settle compares a record that was not stored with the value found under its key. */
function settle(record: ResultRecord, put: PutIfAbsentOutcome): StoreOutcome {
  if (put.stored) return { status: 'stored' };
  const stored = parseResultRecord(put.existing);
  if (stored instanceof Error) return { status: 'conflict', unreadable: stored };
  return sameAnswer(stored, record) ? { status: 'agrees', stored } : { status: 'conflict', stored };
}
