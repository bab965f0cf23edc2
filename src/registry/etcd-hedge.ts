/**
 * The retry policy of a multi-member etcd client (etcd3's `faultHandling.global`): tries of one
 * unary call go to member after member (etcd3 hands each try the next host of a shuffle), and a
 * try that has not answered within a hedge delay gets a companion on the next member while it
 * keeps waiting. After a leader loss, a write a follower forwarded to the dead leader is lost
 * without an answer, while one sent after the follower noticed (it has no leader) is held there
 * until the election and then applied: with a companion every 100–250 ms, a call stalls about as
 * long as the election, not a whole per-try deadline (and a breaker's second) more.
 */
import {
  EventEmitter,
  type IDefaultPolicyContext,
  type IFailureEvent,
  type IPolicy,
  type ISuccessEvent,
} from 'cockatiel';
import { RetryBudget } from '../util/retry-budget.js';

/** HedgeOptions shape a HedgedTries policy. */
export interface HedgeOptions {
  /** callMs: no try starts once the call has run this long (it ends when its last try does). */
  callMs: number;
  /** minHedgeMs, maxHedgeMs: the hedge delay is 4× the recent try latency, clamped to these. */
  minHedgeMs: number;
  maxHedgeMs: number;
  /** maxInFlight: most tries of one call at once. */
  maxInFlight: number;
  /** retryable: errors worth another try elsewhere; any other error ends the call (after the tries in flight). */
  retryable: (error: Error) => boolean;
  /**
   * hedgeBudget: hedges (tries started while another is still unanswered) take a token from it and
   * each call deposits; without a token the call waits for its try instead. Default: hedges add at
   * most 20% to the calls of the last 10 s, plus 10 a second, so a slow etcd is not sent up to
   * maxInFlight times its load.
   */
  hedgeBudget?: RetryBudget | undefined;
}

/** RETRY_DELAYS_MS: the wait before a try that follows consecutive failures (the first follows at once). */
const RETRY_DELAYS_MS = [0, 50, 100, 200, 400, 500];

/**
 * HedgedTries runs each call as tries on successive members: the first at once; another when the
 * latest has gone unanswered for the hedge delay (up to maxInFlight at once); another when every
 * try has failed with a retryable error (at once after the first failure, then after 50, 100, …
 * 500 ms); none once the call has run callMs. The first success settles the call, and the tries
 * still in flight are ignored (each ends at its own deadline). So a try may run while another of
 * the same call already succeeded: only for calls that are safe to repeat, which a retry after a
 * deadline already requires (the timed-out try may have been applied too). Emits onSuccess and
 * onFailure per call, as cockatiel policies do.
 */
export class HedgedTries implements IPolicy<IDefaultPolicyContext> {
  declare readonly _altReturn: never;
  readonly #success = new EventEmitter<ISuccessEvent>();
  readonly #failure = new EventEmitter<IFailureEvent>();
  /** onSuccess fires once per call that succeeded, with its duration. */
  readonly onSuccess = this.#success.addListener;
  /** onFailure fires once per call that failed, with its duration and last error. */
  readonly onFailure = this.#failure.addListener;
  #latencyMs: number;
  readonly #budget: RetryBudget;
  /** hedges counts the hedges started (tries beyond the first while one was in flight). */
  hedges = 0;

  constructor(private readonly options: HedgeOptions) {
    this.#latencyMs = options.minHedgeMs / 4;
    this.#budget = options.hedgeBudget ?? new RetryBudget({ ratio: 0.2, minPerSecond: 10 });
  }

  /** hedgeMs is the current hedge delay: 4× the moving average of successful try latency, clamped. */
  get hedgeMs(): number {
    const { minHedgeMs, maxHedgeMs } = this.options;
    return Math.round(Math.min(maxHedgeMs, Math.max(minHedgeMs, 4 * this.#latencyMs)));
  }

  execute<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const started = Date.now();
      const context: IDefaultPolicyContext = { signal: signal ?? new AbortController().signal };
      let inFlight = 0;
      let failures = 0;
      let lastStart = 0;
      let lastEnd = 0;
      let done = false;
      let stopped = false;
      let lastError: unknown;
      let timer: NodeJS.Timeout | undefined;

      const finish = (ok: boolean, value?: T): void => {
        done = true;
        clearTimeout(timer);
        const duration = Date.now() - started;
        if (ok) {
          this.#success.emit({ duration });
          resolve(value as T);
        } else {
          this.#failure.emit({ duration, handled: true, reason: { error: lastError as Error } });
          reject(lastError);
        }
      };
      const plan = (): void => {
        clearTimeout(timer);
        if (done) return;
        const now = Date.now();
        if (stopped || signal?.aborted || now - started >= this.options.callMs) {
          if (signal?.aborted) lastError ??= signal.reason;
          if (inFlight === 0) finish(false);
          return;
        }
        let due: number | undefined;
        if (inFlight === 0) due = lastEnd + RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length) - 1]!;
        else if (inFlight < this.options.maxInFlight) due = lastStart + this.hedgeMs;
        if (due === undefined) return; // every slot is busy: the next try to end plans again
        if (inFlight === 0 && due - started >= this.options.callMs)
          finish(false); // no try would start
        else if (due > now) timer = setTimeout(plan, due - now);
        else if (inFlight === 0) launch();
        else if (this.#budget.tryWithdraw(performance.now())) {
          this.hedges++;
          launch();
        } // no token: no hedge; the try in flight ends (or fails) and plans again
      };
      const launch = (): void => {
        const t0 = Date.now();
        inFlight++;
        lastStart = t0;
        new Promise<T>((res) => res(fn(context))).then(
          (value) => {
            inFlight--;
            this.#latencyMs = 0.8 * this.#latencyMs + 0.2 * (Date.now() - t0);
            if (!done) finish(true, value);
          },
          (error: unknown) => {
            inFlight--;
            lastEnd = Date.now();
            if (done) return;
            lastError = error;
            if (this.options.retryable(error as Error)) failures++;
            else stopped = true;
            plan();
          },
        );
        plan();
      };
      if (signal?.aborted) {
        lastError = signal.reason;
        finish(false);
        return;
      }
      this.#budget.onRequest(performance.now());
      launch();
    });
  }
}
