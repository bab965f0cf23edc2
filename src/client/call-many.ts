import { setImmediate as nextTurn } from 'node:timers/promises';
import { AttemptTimeoutError, attemptTimeoutMs } from './attempt-timeout.js';
import { type CallDeadline, callDeadline } from './call-deadline.js';
import type { CallOptions } from './call-one.js';
import type { CallRuntime } from './call-runtime.js';
import { DeadlineExceededError, isRetryable, NoNodesError } from './errors.js';
import type { NodeClient } from './node-client.js';
import { nowhereElse, wentSilent } from './nowhere-else.js';
import { PendingCall } from './pending-call.js';

/** ManyCall is one call of a `callMany`: a method and its (wire-encoded) params. */
export interface ManyCall {
  method: string;
  params: unknown;
}

/** ManyResult is one call's outcome: its result and the node that answered, or its error. */
export type ManyResult =
  | { ok: true; result: unknown; nodeId: string }
  | { ok: false; error: unknown; nodeId: string | undefined };

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * callMany sends `calls` to one node picked by the balancer, together (as one JSON-RPC batch when
 * they fit), under one deadline (fixed when the caller called); calls that fail with a retryable
 * error go together to another node, within `attempts` and the retry budget. Resolves with one
 * outcome per call, in order; never rejects for a call's failure. One timer and one abort
 * listener serve the whole group. A group that waits past its node's attempt timeout is given up
 * there and sent to another node when the budget allows one more (safe: Arith calls are pure).
 */
export async function callMany(
  rt: CallRuntime,
  calls: readonly ManyCall[],
  opts: CallOptions,
  deadline: CallDeadline = callDeadline(opts.deadlineMs, rt.defaults.deadlineMs),
): Promise<ManyResult[]> {
  const results = new Array<ManyResult>(calls.length);
  const { ms: deadlineMs, at: deadlineAt } = deadline;
  const max = Math.max(1, opts.attempts ?? rt.defaults.attempts);
  const started = performance.now();
  for (let i = 0; i < calls.length; i++) rt.budget.onRequest(started);
  rt.stats.calls += calls.length;
  const tried = new Set<string>();
  let pending = calls.map((_, i) => i);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const picker = rt.membership.picker;
    const key = opts.key;
    const node = picker.pick({ key, exclude: tried }) ?? (tried.size > 0 ? picker.pick({ key }) : undefined);
    if (!node) {
      const error = new NoNodesError(picker.size === 0 ? 'no live nodes' : 'every node failed');
      for (const i of pending) results[i] = { ok: false, error, nodeId: undefined };
      if (tried.size === 0) await nextTurn(); // nothing sent: see Cluster's #limited
      break;
    }
    tried.add(node.id);
    let granted = false; // a retry withdrawn from the budget when the group was given up
    const fixed = opts.attemptTimeoutMs ?? rt.defaults.attemptTimeoutMs;
    const giveUpMs = attemptTimeoutMs(node.recentLatencyMs(), fixed);
    const giveUp = (): boolean => {
      node.onGaveUp();
      // With no other node to go to, the group keeps waiting: it could only go to `node` again.
      if (nowhereElse(rt.membership.picker, key, tried, node.id)) return false;
      granted = mayGoOn(attempt, max, deadlineAt, opts.signal) && rt.budget.tryWithdraw(performance.now());
      if (granted) rt.stats.attemptTimeouts++;
      return granted;
    };
    const send = { deadlineAt, deadlineMs, giveUpMs, giveUp };
    const settled = await sendTogether(node, pending, calls, send, opts.signal);
    // Calls to retry go together, as one more request: one withdrawal from the retry budget. When
    // the node went silent and no other is left, they go back to it (not an attempt; nowhere-else.ts).
    const back = !granted && goBack(settled, rt, key, tried, node.id, deadlineAt, opts.signal);
    if (back) attempt--;
    const again =
      granted ||
      back ||
      (mayGoOn(attempt, max, deadlineAt, opts.signal) &&
        settled.some((r) => !r.ok && isRetryable(r.error)) &&
        rt.budget.tryWithdraw(performance.now()));
    const retry: number[] = [];
    for (let j = 0; j < pending.length; j++) {
      const i = pending[j]!;
      const s = settled[j]!;
      if (s.ok) results[i] = { ok: true, result: s.value, nodeId: node.id };
      else if (again && isRetryable(s.error)) retry.push(i);
      else results[i] = { ok: false, error: s.error, nodeId: node.id };
    }
    rt.stats.retries += retry.length;
    pending = retry;
  }
  for (const r of results) if (!r.ok) rt.stats.failures++;
  return results;
}

/** goBack: some call failed because `nodeId` went silent, no other node is left, and time is. */
function goBack(
  settled: readonly Settled[],
  rt: CallRuntime,
  key: string | undefined,
  tried: ReadonlySet<string>,
  nodeId: string,
  deadlineAt: number,
  signal: AbortSignal | undefined,
): boolean {
  if (Date.now() >= deadlineAt || signal?.aborted) return false;
  if (!settled.some((r) => !r.ok && wentSilent(r.error))) return false;
  return nowhereElse(rt.membership.picker, key, tried, nodeId);
}

/** mayGoOn: attempts and time left, and not aborted. */
function mayGoOn(attempt: number, max: number, deadlineAt: number, signal: AbortSignal | undefined): boolean {
  return attempt < max && Date.now() < deadlineAt && !signal?.aborted;
}

/** GroupTiming: a group's deadline, and when (and whether) to give it up on its node. */
interface GroupTiming {
  deadlineAt: number;
  deadlineMs: number;
  giveUpMs: number;
  /** giveUp: true when the group is to be given up (a retry was granted), false to keep waiting. */
  giveUp: () => boolean;
}

/** sendTogether submits the calls at `indexes` to `node` at once and waits for all of them to settle. */
function sendTogether(
  node: NodeClient,
  indexes: readonly number[],
  calls: readonly ManyCall[],
  timing: GroupTiming,
  signal: AbortSignal | undefined,
): Promise<Settled[]> {
  const { deadlineAt, deadlineMs, giveUpMs } = timing;
  return new Promise((resolve) => {
    const out = new Array<Settled>(indexes.length);
    let left = indexes.length;
    const done = (): void => {
      if (--left > 0) return;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(out);
    };
    const pending = indexes.map((i, j) => {
      const { method, params } = calls[i]!;
      const ok = (value: unknown): void => {
        out[j] = { ok: true, value };
        done();
      };
      const fail = (error: unknown): void => {
        out[j] = { ok: false, error };
        done();
      };
      return new PendingCall(method, params, deadlineAt, deadlineMs, undefined, ok, fail, false);
    });
    const failAll = (error: unknown): void => {
      for (const c of pending) c.fail(error);
    };
    const onAbort = (): void => failAll(signal?.reason);
    const onDeadline = (): void => failAll(new DeadlineExceededError(deadlineMs));
    const giveUpAt = Date.now() + giveUpMs;
    let timer =
      giveUpAt < deadlineAt
        ? setTimeout(() => {
            if (timing.giveUp()) failAll(new AttemptTimeoutError(giveUpMs, node.id));
            else timer = setTimeout(onDeadline, Math.max(0, deadlineAt - Date.now()));
          }, giveUpMs)
        : setTimeout(onDeadline, Math.max(0, deadlineAt - Date.now()));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    node.submitAll(pending);
  });
}
