/**
 * The vote of a queued `quorum` chunk: a worker's own answers (computed in-process) are put to the
 * vote with the answers of the other live nodes of the namespace to the same calls (over RPC),
 * exactly as `results.compute` votes (verifiedCall in `quorum` mode): a majority of the live
 * nodes, the worker included, must give the same answer (floor(n/2)+1 of n; 1 of 1 when the worker
 * is the only live node, as `results.compute` with one node). A node that failed in transport is
 * counted among the live nodes but agrees with nobody, as in `results.compute`.
 */
import type { CallOptions } from '../../client/call-one.js';
import { errorFromRpc, isRetryable, NoNodesError, QuorumError } from '../../client/errors.js';
import type { Receipt } from '../../client/fanout.js';
import { type Caller, type Verified, verifiedCall } from '../../client/verify-modes.js';
import type { ResultAnswer } from '../../protocol/answer.js';
import { sleep } from '../../util/backoff.js';
import { QueueError } from './queue-error.js';

/** QuorumPeers is how a worker reaches the other live nodes of its namespace (never itself). */
export interface QuorumPeers {
  /**
   * all asks every other live node for `method(params)` at once (the SDK batches concurrent calls
   * per node): one receipt per node; rejects with NoNodesError when no other node is live.
   */
  all(method: string, params: unknown, options?: CallOptions): Promise<Receipt[]>;
}

/** QuorumOp is one op to vote on: the call (wire params) and the worker's own answer to it. */
export interface QuorumOp {
  method: string;
  params: unknown;
  own: ResultAnswer;
}

/** QUORUM_TRIES: votes per op when a node failed in transport (cluster.map's tries of a retryable failure). */
const QUORUM_TRIES = 3;

/**
 * quorumVote votes on every op at once and resolves, per op in order, with what to store (the
 * agreed answer, the agreeing node ids sorted, the dissent) or a QueueError `QUORUM` saying who
 * answered what. A vote that missed its quorum because a node failed in transport (not because
 * nodes disagreed) is tried again, up to 3 times, 200 ms × try apart.
 * @throws QueueError `COMPUTE` when the other nodes cannot be asked at all (their client cannot
 * be opened, or is closed): no op is decided, so the chunk should stay queued.
 */
export function quorumVote(
  ops: readonly QuorumOp[],
  selfId: string,
  peers: QuorumPeers,
  options: { signal?: AbortSignal | undefined; deadlineMs?: number | undefined } = {},
): Promise<Array<Verified | QueueError>> {
  return Promise.all(ops.map((op) => voteOne(op, selfId, peers, options)));
}

async function voteOne(
  op: QuorumOp,
  selfId: string,
  peers: QuorumPeers,
  options: CallOptions,
): Promise<Verified | QueueError> {
  const caller: Caller = {
    callWithNode: () => Promise.reject(new TypeError('a queued quorum vote asks every node')),
    all: async (method, params, o) => [
      ownReceipt(op.own, selfId),
      ...(await peerReceipts(peers, method, params, o)),
    ],
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await verifiedCall(caller, op.method, op.params, 'quorum', options);
    } catch (error) {
      if (!(error instanceof QuorumError))
        throw new QueueError('COMPUTE', `cannot ask the other nodes: ${(error as Error).message}`, {
          cause: error,
        });
      // Missed because a node failed in transport, not because nodes disagreed: worth another vote.
      const transient = error.answers.some((a) => a.error !== undefined && isRetryable(a.error));
      if (!transient || attempt >= QUORUM_TRIES || options.signal?.aborted) return noQuorum(error);
      await sleep(200 * attempt, options.signal);
    }
  }
}

/** ownReceipt is the worker's own answer as a fan-out receipt (an application error as the node would answer it). */
function ownReceipt(own: ResultAnswer, selfId: string): Receipt {
  return own.error === undefined
    ? { nodeId: selfId, ok: true, result: own.result, ms: 0 }
    : { nodeId: selfId, ok: false, error: errorFromRpc(own.error, selfId, 0), ms: 0 };
}

/** peerReceipts asks the other live nodes; none live is no receipt (the worker alone is 1 of 1). */
async function peerReceipts(
  peers: QuorumPeers,
  method: string,
  params: unknown,
  options: CallOptions | undefined,
): Promise<Receipt[]> {
  try {
    return await peers.all(method, params, options);
  } catch (error) {
    if (error instanceof NoNodesError) return [];
    throw error;
  }
}

/** noQuorum is a failed vote as a QueueError `QUORUM`: who answered what, and how many nodes were live. */
function noQuorum(error: QuorumError): QueueError {
  return new QueueError('QUORUM', `${error.message} (${error.answers.length} live nodes)`, { cause: error });
}
