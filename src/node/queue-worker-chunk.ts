/**
 * What a worker does with one chunk it claimed: compute every op in-process (the same pure Arith
 * methods the node serves, encoded as the node answers them), for a `quorum` chunk put those
 * answers to the vote with the other live nodes' (see quorum-vote.ts), build the result records,
 * store them with the one put-if-absent path (`storeMany`), and count each op into the chunk's tally.
 */
import { encodeResult } from '../arith/encode.js';
import { ArithError } from '../arith/errors.js';
import type { ArithLimits } from '../arith/limits.js';
import { ARITH_METHODS } from '../arith/methods.js';
import type { ResultAnswer } from '../protocol/answer.js';
import type { Chunk } from '../results/queue/chunk.js';
import { errorText, QueueError } from '../results/queue/queue-error.js';
import { type QuorumOp, type QuorumPeers, quorumVote } from '../results/queue/quorum-vote.js';
import { emptyTally, MAX_ISSUES, type QueueIssue, type Tally } from '../results/queue/tally.js';
import { deriveKeyFromWire } from '../results/result-key.js';
import { makeRecord, type ResultRecord } from '../results/result-record.js';
import type { StoreOutcome } from '../results/store-many.js';
import { wrongAnswer } from './fault-wrong-answer.js';

/** ComputeContext: who computes, within which limits, its peers (quorum chunks), and the test-only fault. */
export interface ComputeContext {
  nodeId: string;
  limits: ArithLimits;
  /** peers: the other live nodes, asked for quorum chunks; undefined: quorum chunks fail `UNSUPPORTED`. */
  peers?: QuorumPeers | undefined;
  /** faultWrongAnswer: TEST ONLY, this node's answers are off by one (as over RPC). */
  faultWrongAnswer?: boolean | undefined;
}

/**
 * computeAnswer runs one op: a result, an application error (an answer too), or `failure`. With
 * `faultWrongAnswer` (test only) results are off by one, as the node answers them over RPC.
 */
export function computeAnswer(
  method: string,
  params: unknown,
  limits: ArithLimits,
  faultWrongAnswer = false,
): { answer: ResultAnswer } | { failure: Error } {
  const fn = ARITH_METHODS.get(method);
  if (!fn) return { failure: new Error(`unknown method ${method}`) };
  try {
    const result = fn(params, limits);
    return { answer: { result: encodeResult(faultWrongAnswer ? wrongAnswer(result) : result, 'json') } };
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

/** Answered is an op of a chunk with its result key and this node's own answer. */
interface Answered {
  key: string;
  method: string;
  params: unknown;
  answer: ResultAnswer;
}

/** answerAll computes every op of a chunk in-process; ops that fail (bad key, not computable) go into the tally. */
function answerAll(chunk: Chunk, ctx: ComputeContext, tally: Tally): Answered[] {
  const out: Answered[] = [];
  for (const op of chunk.ops) {
    let key: string | undefined = op.k;
    try {
      key ??= deriveKeyFromWire(op.m, op.p);
      const got = computeAnswer(op.m, op.p, ctx.limits, ctx.faultWrongAnswer);
      if ('failure' in got) throw got.failure;
      out.push({ key, method: op.m, params: op.p, answer: got.answer });
    } catch (error) {
      failed(tally, key, op.m, error);
    }
  }
  return out;
}

/** computeClaimedChunk computes a claimed chunk in its verify mode: `quorum` (computeQuorumChunk) or `one` (computeChunk). */
export function computeClaimedChunk(
  chunk: Chunk,
  jobId: string,
  ctx: ComputeContext,
): Promise<ComputedChunk> {
  return chunk.verify === 'quorum'
    ? computeQuorumChunk(chunk, jobId, ctx)
    : Promise.resolve(computeChunk(chunk, jobId, ctx));
}

/** computeChunk computes every op of a `one` chunk of job `jobId`: each record names this node. */
export function computeChunk(chunk: Chunk, jobId: string, ctx: ComputeContext): ComputedChunk {
  const tally = emptyTally();
  const storedAt = new Date().toISOString();
  const nodes = [ctx.nodeId];
  // An explicit literal, not `{ ...a, ... }`: this runs once per op, and the spread costs more than the record.
  const records = answerAll(chunk, ctx, tally).map((a) =>
    makeRecord(
      {
        key: a.key,
        method: a.method,
        params: a.params,
        answer: a.answer,
        nodes,
        verify: chunk.verify,
        job: jobId,
      },
      storedAt,
    ),
  );
  return { records, tally };
}

/**
 * computeQuorumChunk computes every op of a `quorum` chunk in-process, asks the other live nodes
 * for theirs (`peers`), and keeps only agreed answers: each record names the agreeing nodes and
 * says `verify: 'quorum'`; an op without a quorum is counted failed with a QueueError `QUORUM`
 * naming who answered what. Without `peers` (a node with no registry etcd) every op fails `UNSUPPORTED`.
 * @throws QueueError `COMPUTE` when the other nodes cannot be asked at all (the chunk stays queued).
 */
export async function computeQuorumChunk(
  chunk: Chunk,
  jobId: string,
  ctx: ComputeContext,
): Promise<ComputedChunk> {
  const tally = emptyTally();
  const answered = answerAll(chunk, ctx, tally);
  const peers = ctx.peers;
  if (!peers) {
    const error = new QueueError(
      'UNSUPPORTED',
      'this worker has no registry etcd to find the other nodes on',
    );
    for (const a of answered) failed(tally, a.key, a.method, error);
    return { records: [], tally };
  }
  const ops = answered.map((a): QuorumOp => ({ method: a.method, params: a.params, own: a.answer }));
  const votes = await quorumVote(ops, ctx.nodeId, peers);
  const storedAt = new Date().toISOString();
  const records: ResultRecord[] = [];
  votes.forEach((vote, i) => {
    const a = answered[i]!;
    if (vote instanceof Error) failed(tally, a.key, a.method, vote);
    else
      records.push(
        makeRecord({ ...a, answer: vote.answer, nodes: vote.nodes, verify: 'quorum', job: jobId }, storedAt),
      );
  });
  return { records, tally };
}

function failed(tally: Tally, key: string | undefined, method: string, error: unknown): void {
  tally.failed++;
  issue(tally, { kind: 'failed', key, method, error: errorText(error) });
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
