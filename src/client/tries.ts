import { type Attempt, startAttempt } from './attempt.js';
import { AttemptTimeoutError, attemptTimeoutMs, type GiveUp } from './attempt-timeout.js';
import type { CallOptions } from './call-options.js';
import type { CallRuntime } from './call-runtime.js';
import { NoNodesError } from './errors.js';
import type { NodeClient } from './node-client.js';
import { nowhereElse, wentSilent } from './nowhere-else.js';

/** Tries is what a `callOne` keeps across attempts: the deadline, the nodes tried, the retry decision. */
export class Tries {
  readonly max: number;
  /** first: the first node tried; `tried` (all of them) exists only once a call goes to a second. */
  first: string | undefined = undefined;
  tried: Set<string> | undefined = undefined;
  started = 0;
  lastError: unknown = undefined;
  /** cancellable: attempts may be abandoned (hedging), so their requests must be abortable. */
  cancellable = false;

  constructor(
    readonly rt: CallRuntime,
    readonly opts: CallOptions,
    readonly deadlineMs: number,
    readonly deadlineAt: number,
  ) {
    this.max = Math.max(1, opts.attempts ?? rt.defaults.attempts);
  }

  /** pick chooses a node not tried yet (any node once all were) and counts the attempt; undefined if none. */
  pick(): NodeClient | undefined {
    const picker = this.rt.membership.picker;
    const key = this.opts.key;
    if (this.first !== undefined) this.tried ??= new Set([this.first]);
    const exclude = this.tried;
    const node = picker.pick({ key, exclude }) ?? (exclude ? picker.pick({ key }) : undefined);
    if (!node) {
      this.lastError ??= new NoNodesError(picker.size === 0 ? 'no live nodes' : 'every node failed');
      return undefined;
    }
    if (this.first === undefined) this.first = node.id;
    else exclude?.add(node.id);
    this.started++;
    return node;
  }

  /** start sends a promise-settled attempt (hedging) to the next node; undefined if none. */
  start(method: string, params: unknown): Attempt | undefined {
    const node = this.pick();
    if (!node) return undefined;
    const ms = this.giveUpMs(node);
    const at = Date.now() + ms;
    const giveUp: GiveUp | undefined =
      at < this.deadlineAt ? { at, decide: () => this.giveUp(node, ms) } : undefined;
    const { deadlineAt, deadlineMs } = this;
    return startAttempt(
      node,
      method,
      params,
      deadlineAt,
      deadlineMs,
      this.opts.signal,
      this.cancellable,
      giveUp,
    );
  }

  /** giveUpMs is how long an attempt on `node` may wait before it is given up there. */
  giveUpMs(node: NodeClient): number {
    return attemptTimeoutMs(
      node.recentLatencyMs(),
      this.opts.attemptTimeoutMs ?? this.rt.defaults.attemptTimeoutMs,
    );
  }

  /**
   * giveUp runs when an attempt on `node` waited `ms`: it counts against the node and, if a retry
   * is allowed (withdrawn from the budget here), returns the AttemptTimeoutError to fail it with.
   * With no other node to go to it keeps waiting: a retry could only go to `node` again.
   */
  giveUp(node: NodeClient, ms: number): AttemptTimeoutError | undefined {
    node.onGaveUp();
    if (this.#nowhereElse(node.id) || !this.mayRetry()) return undefined;
    this.rt.stats.attemptTimeouts++;
    return new AttemptTimeoutError(ms, node.id);
  }

  /**
   * mayGoBack: `error` says the connection to the call's node went silent and no other node is
   * left, with time left and no abort: the call may go back to that node (once it answers again),
   * which is not another attempt and takes nothing from the retry budget (see nowhere-else.ts).
   */
  mayGoBack(error: unknown): boolean {
    if (!wentSilent(error) || Date.now() >= this.deadlineAt || this.opts.signal?.aborted) return false;
    if (!this.#nowhereElse(error.nodeId)) return false;
    this.started--; // the pick that follows counts it again
    this.rt.stats.retries++;
    return true;
  }

  #nowhereElse(nodeId: string): boolean {
    const tried = this.tried ?? (this.first === undefined ? undefined : new Set([this.first]));
    return nowhereElse(this.rt.membership.picker, this.opts.key, tried, nodeId);
  }

  /** mayRetry: attempts left, time left, not aborted, and the retry budget allows one more. */
  mayRetry(): boolean {
    if (this.started >= this.max || Date.now() >= this.deadlineAt || this.opts.signal?.aborted) return false;
    if (!this.rt.budget.tryWithdraw(performance.now())) return false;
    this.rt.stats.retries++;
    return true;
  }
}
