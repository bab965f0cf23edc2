/**
 * What a worker does with one chunk it claimed: compute every op in-process (the same pure Arith
 * methods the node serves, encoded as the node answers them), build the result records, store them
 * with the one put-if-absent path (`storeMany`), and count each op into the chunk's tally.
 */
import { encodeResult } from '../arith/encode.js';
import { ArithError } from '../arith/errors.js';
import type { ArithLimits } from '../arith/limits.js';
import { ARITH_METHODS } from '../arith/methods.js';
import type { ResultAnswer } from '../protocol/answer.js';
import type { Chunk } from '../results/queue/chunk.js';
import { errorText } from '../results/queue/queue-error.js';
import { emptyTally, MAX_ISSUES, type QueueIssue, type Tally } from '../results/queue/tally.js';
import { deriveKeyFromWire } from '../results/result-key.js';
import { makeRecord, type ResultRecord } from '../results/result-record.js';
import type { StoreOutcome } from '../results/store-many.js';

/** computeAnswer runs one op: a result, an application error (an answer too), or undefined with `failure` set. */
export function computeAnswer(
  method: string,
  params: unknown,
  limits: ArithLimits,
): { answer: ResultAnswer } | { failure: Error } {
  const fn = ARITH_METHODS.get(method);
  if (!fn) return { failure: new Error(`unknown method ${method}`) };
  try {
    return { answer: { result: encodeResult(fn(params, limits), 'json') } };
  } catch (error) {
    if (error instanceof ArithError)
      return { answer: { error: { code: error.code, message: error.message } } };
    return { failure: error as Error };
  }
}

/** ComputedChunk: the records to store and the tally of ops that failed before storing. */
export interface ComputedChunk {
  records: ResultRecord[];
  tally: Tally;
}

/** computeChunk computes every op of a chunk of job `jobId` as node `nodeId`. */
export function computeChunk(
  chunk: Chunk,
  jobId: string,
  nodeId: string,
  limits: ArithLimits,
): ComputedChunk {
  const tally = emptyTally();
  const records: ResultRecord[] = [];
  const storedAt = new Date().toISOString();
  const nodes = [nodeId];
  for (const op of chunk.ops) {
    let key: string | undefined = op.k;
    try {
      key ??= deriveKeyFromWire(op.m, op.p);
      const got = computeAnswer(op.m, op.p, limits);
      if ('failure' in got) throw got.failure;
      records.push(
        makeRecord(
          { key, method: op.m, params: op.p, answer: got.answer, nodes, verify: chunk.verify, job: jobId },
          storedAt,
        ),
      );
    } catch (error) {
      tally.failed++;
      issue(tally, { kind: 'failed', key, method: op.m, error: errorText(error) });
    }
  }
  return { records, tally };
}

/** countOutcomes adds what storeMany said of each record to the tally. */
export function countOutcomes(
  tally: Tally,
  records: readonly ResultRecord[],
  outcomes: readonly StoreOutcome[],
): Tally {
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'stored') tally.stored++;
    else if (outcome.status === 'agrees') tally.skipped++;
    else {
      tally.conflicts++;
      const record = records[i]!;
      const message = outcome.unreadable
        ? `unreadable stored value: ${outcome.unreadable.message}`
        : 'a stored record disagrees (nothing overwritten)';
      issue(tally, {
        kind: 'conflict',
        key: record.key,
        method: record.method,
        error: { code: 'CONFLICT', message },
      });
    }
  });
  return tally;
}

function issue(tally: Tally, item: QueueIssue): void {
  if (tally.issues.length < MAX_ISSUES) tally.issues.push(item);
}
