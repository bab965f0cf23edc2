import { answerId } from '../protocol/answer.js';
import { type Attempt, settle, startAttempt } from './attempt.js';
import { type CallDeadline, callDeadline } from './call-deadline.js';
import type { CallOptions } from './call-one.js';
import type { CallRuntime } from './call-runtime.js';
import { type Answer, NoNodesError, QuorumError, RemoteError } from './errors.js';
import type { NodeClient } from './node-client.js';

/** Receipt is one node's answer in a fan-out: a result or an error, and how long it took. */
export type Receipt =
  | { nodeId: string; ok: true; result: unknown; ms: number }
  | { nodeId: string; ok: false; error: Error; ms: number };

function startAll(
  rt: CallRuntime,
  method: string,
  params: unknown,
  opts: CallOptions,
  cancellable: boolean,
  deadline: CallDeadline,
): Attempt[] {
  const nodes: NodeClient[] = rt.membership.clients();
  if (nodes.length === 0) throw new NoNodesError();
  rt.stats.fanouts++;
  return nodes.map((node) =>
    startAttempt(node, method, params, deadline.at, deadline.ms, opts.signal, cancellable),
  );
}

/**
 * callAll is scatter/gather (Go's WaitGroup fan-out): every live node at once under one shared
 * deadline, one receipt per node in node-id order. It never rejects because a node failed; it
 * rejects only with NoNodesError when no node is live.
 */
export async function callAll(
  rt: CallRuntime,
  method: string,
  params: unknown,
  opts: CallOptions,
  deadline: CallDeadline = callDeadline(opts.deadlineMs, rt.defaults.deadlineMs),
): Promise<Receipt[]> {
  const started = performance.now();
  const attempts = startAll(rt, method, params, opts, false, deadline);
  // Each receipt's time is taken when that node answers, not when the slowest one does.
  return Promise.all(
    attempts.map((a) =>
      settle(a).then((s): Receipt => {
        const ms = performance.now() - started;
        return s.ok
          ? { nodeId: a.node.id, ok: true, result: s.value, ms }
          : { nodeId: a.node.id, ok: false, error: s.error as Error, ms };
      }),
    ),
  );
}

/**
 * callAny sends to every live node and resolves with the first success, aborting the rest.
 * A JSON-RPC error answer (e.g. divide by zero) is an answer too and is thrown as soon as it is
 * the first answer; if every node fails at the transport level, the last error is thrown.
 */
export async function callAny(
  rt: CallRuntime,
  method: string,
  params: unknown,
  opts: CallOptions,
  deadline: CallDeadline = callDeadline(opts.deadlineMs, rt.defaults.deadlineMs),
): Promise<unknown> {
  const attempts = startAll(rt, method, params, opts, true, deadline);
  const pending = new Map(attempts.map((a) => [a, settle(a)] as const));
  let lastError: unknown;
  try {
    while (pending.size > 0) {
      const next = await Promise.race(pending.values());
      pending.delete(next.attempt);
      if (next.ok) return next.value;
      lastError = next.error;
      if (next.error instanceof RemoteError && !next.error.retryable) break;
    }
    rt.stats.failures++;
    throw lastError;
  } finally {
    for (const a of pending.keys()) a.abort();
  }
}

/** Agreement key: the same answer (see answerId: equal results, or equal application errors) agrees. */
function agreementKey(s: { ok: true; value: unknown } | { ok: false; error: unknown }): string | undefined {
  if (s.ok) return answerId({ result: s.value });
  if (s.error instanceof RemoteError && !s.error.retryable) return answerId({ error: s.error });
  return undefined;
}

/**
 * callQuorum sends to every live node and resolves once `k` nodes returned the same result
 * (aborting the rest). If `k` identical answers become impossible, it rejects with QuorumError
 * listing who answered what. If the agreed answer is an application error, that error is thrown.
 */
export async function callQuorum(
  rt: CallRuntime,
  method: string,
  params: unknown,
  opts: CallOptions & { k: number },
  deadline: CallDeadline = callDeadline(opts.deadlineMs, rt.defaults.deadlineMs),
): Promise<unknown> {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1) throw new TypeError(`quorum k must be a positive integer, got ${k}`);
  if (rt.membership.size < k) {
    rt.stats.failures++;
    throw new QuorumError(k, []);
  }
  const attempts = startAll(rt, method, params, opts, true, deadline);
  const pending = new Map(attempts.map((a) => [a, settle(a)] as const));
  const groups = new Map<
    string,
    { count: number; outcome: { ok: boolean; value?: unknown; error?: unknown } }
  >();
  const answers: Answer[] = [];
  try {
    while (pending.size > 0) {
      const next = await Promise.race(pending.values());
      pending.delete(next.attempt);
      const nodeId = next.attempt.node.id;
      answers.push(next.ok ? { nodeId, result: next.value } : { nodeId, error: next.error as Error });
      const key = agreementKey(next);
      if (key !== undefined) {
        const group = groups.get(key) ?? { count: 0, outcome: next };
        group.count++;
        groups.set(key, group);
        if (group.count >= k) {
          if (group.outcome.ok) return group.outcome.value;
          rt.stats.failures++;
          throw group.outcome.error;
        }
      }
      const best = Math.max(0, ...[...groups.values()].map((g) => g.count));
      if (best + pending.size < k) break;
    }
    rt.stats.failures++;
    throw new QuorumError(k, answers);
  } finally {
    for (const a of pending.keys()) a.abort();
  }
}
