import type { ManyCall, ManyResult } from '../client/call-many.js';
import type { CallOptions } from '../client/call-one.js';

/** ManyCaller is what the coalescer needs of the SDK: one call, or a group to one node (`Cluster`). */
export interface ManyCaller {
  call(method: string, params: unknown, options?: CallOptions): Promise<unknown>;
  callMany(calls: readonly ManyCall[], options?: CallOptions): Promise<ManyResult[]>;
}

/** Settle is told a forwarded call's outcome, once. */
export type Settle = (result: ManyResult) => void;

interface Waiting {
  call: ManyCall;
  resolve: Settle;
}

/**
 * CallCoalescer gathers the calls a gateway forwards in one synchronous burst (every line of one
 * TCP read, every element of one HTTP batch) and sends those with the same deadline as one
 * `callMany`: one node, one JSON-RPC batch line, one timer and one `maxInflight` slot for the
 * group, its retryable failures retried together on another node. The burst ends at the first
 * microtask checkpoint: a lone call goes out in the same event-loop turn, with no timer or
 * `setImmediate` hop, as a plain `call`, so that the SDK's per-node auto-batcher still gathers
 * lone calls from many connections (one HTTP POST each) while a batch is in flight. Each call's
 * outcome goes to its own `settle` callback (no promise per call); a failure is a ManyResult with
 * `ok: false`, and `settle` is called exactly once.
 */
export class CallCoalescer {
  readonly #caller: ManyCaller;
  /** #groups: calls waiting for this burst's flush, by absolute deadline (`Date.now()` ms). */
  #groups = new Map<number, Waiting[]>();
  #scheduled = false;

  constructor(caller: ManyCaller) {
    this.#caller = caller;
  }

  /** call queues `method(params)` with the absolute deadline `deadlineAt`; it goes out with its burst. */
  call(method: string, params: unknown, deadlineAt: number, settle: Settle): void {
    const waiting = { call: { method, params }, resolve: settle };
    const group = this.#groups.get(deadlineAt);
    if (group) group.push(waiting);
    else this.#groups.set(deadlineAt, [waiting]);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#scheduled = false;
    const groups = this.#groups;
    this.#groups = new Map();
    const now = Date.now();
    for (const [deadlineAt, group] of groups) {
      const deadlineMs = Math.max(1, deadlineAt - now);
      if (group.length === 1) {
        const { call, resolve } = group[0]!;
        this.#caller.call(call.method, call.params, { deadlineMs }).then(
          (result) => resolve({ ok: true, result, nodeId: '' }),
          (error: unknown) => resolve({ ok: false, error, nodeId: undefined }),
        );
        continue;
      }
      const calls = group.map((w) => w.call);
      const settle = (results: readonly ManyResult[]): void => {
        for (let i = 0; i < group.length; i++) group[i]!.resolve(results[i]!);
      };
      this.#caller
        .callMany(calls, { deadlineMs })
        .then(settle, (error) => settle(group.map(() => ({ ok: false, error, nodeId: undefined }))));
    }
  }
}
