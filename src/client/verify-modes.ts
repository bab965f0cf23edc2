/**
 * Verify modes: how an answer is obtained before it is stored. `one` asks one node (balanced, with
 * failover); `quorum` asks every live node and needs floor(n/2)+1 identical answers; `all` needs
 * every live node to answer identically. Application errors (divide by zero) are answers too.
 */

import { answerId, type ResultAnswer } from '../protocol/answer.js';
import type { VerifyMode } from '../results/result-record.js';
import type { CallOptions } from './call-one.js';
import { type Answer, QuorumError, RemoteError } from './errors.js';
import type { Receipt } from './fanout.js';

/** Caller is what the verify modes need from a cluster client. */
export interface Caller {
  callWithNode(
    method: string,
    params: unknown,
    options?: CallOptions,
  ): Promise<{ result: unknown; nodeId: string }>;
  all(method: string, params: unknown, options?: CallOptions): Promise<Receipt[]>;
}

/** Verified is an answer to store, the nodes that gave it, and the nodes that answered otherwise. */
export interface Verified {
  answer: ResultAnswer;
  nodes: string[];
  /** dissent: answers (results or application errors) that differed from the stored one. */
  dissent: Answer[];
}

/**
 * isAnswerError tells whether a node's error is an application answer worth storing (its code's
 * `answer` mark: 1001 `divide by zero`, 1002 `result too large`). Protocol errors (invalid params,
 * method not found), overload, deadlines and transport failures are not answers.
 */
export function isAnswerError(error: unknown): error is RemoteError {
  return error instanceof RemoteError && error.answer;
}

function toAnswer(error: RemoteError): ResultAnswer {
  return { error: { code: error.code, message: error.message } };
}

/**
 * verifiedOne is what `one` mode stores for a call's outcome: its result, or an application error
 * (divide by zero) as the answer; undefined when the failure is not an answer (transport, protocol).
 */
export function verifiedOne(
  outcome: { ok: true; result: unknown; nodeId: string } | { ok: false; error: unknown },
): Verified | undefined {
  if (outcome.ok) return { answer: { result: outcome.result }, nodes: [outcome.nodeId], dissent: [] };
  const error = outcome.error;
  return isAnswerError(error) ? { answer: toAnswer(error), nodes: [error.nodeId], dissent: [] } : undefined;
}

/**
 * verifiedCall computes `method(params)` in the given mode and returns what to store.
 * @throws QuorumError when `quorum`/`all` do not get enough identical answers (it lists who
 * answered what); the call's own error (transport, protocol, deadline) in `one` mode.
 */
export async function verifiedCall(
  caller: Caller,
  method: string,
  params: unknown,
  mode: VerifyMode,
  options: CallOptions = {},
): Promise<Verified> {
  if (mode === 'one') {
    try {
      const { result, nodeId } = await caller.callWithNode(method, params, options);
      return { answer: { result }, nodes: [nodeId], dissent: [] };
    } catch (error) {
      const verified = verifiedOne({ ok: false, error });
      if (verified) return verified;
      throw error;
    }
  }
  const receipts = await caller.all(method, params, options);
  const groups = new Map<string, { answer: ResultAnswer; nodes: string[] }>();
  const answers: Answer[] = [];
  for (const r of receipts) {
    answers.push(r.ok ? { nodeId: r.nodeId, result: r.result } : { nodeId: r.nodeId, error: r.error });
    const answer = r.ok ? { result: r.result } : isAnswerError(r.error) ? toAnswer(r.error) : undefined;
    if (answer === undefined) continue;
    const id = answerId(answer);
    const group = groups.get(id) ?? { answer, nodes: [] };
    group.nodes.push(r.nodeId);
    groups.set(id, group);
  }
  const k = mode === 'all' ? receipts.length : Math.floor(receipts.length / 2) + 1;
  const best = [...groups.values()].sort((a, b) => b.nodes.length - a.nodes.length)[0];
  if (!best || best.nodes.length < k) throw new QuorumError(k, answers);
  const agreed = new Set(best.nodes);
  const dissent = answers.filter((a) => !agreed.has(a.nodeId) && groupOf(a) !== undefined);
  return { answer: best.answer, nodes: best.nodes.sort(), dissent };
}

/** groupOf is undefined for answers that are failures rather than answers (transport, protocol). */
function groupOf(a: Answer): string | undefined {
  if (a.error === undefined) return 'result';
  return isAnswerError(a.error) ? 'error' : undefined;
}
