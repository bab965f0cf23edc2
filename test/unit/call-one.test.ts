/**
 * callOne against fake nodes and a fake picker (no network): which errors are retried on another
 * node, which are answers, the deadline, the attempts bound and the retry budget.
 */
import { describe, expect, it } from 'vitest';
import { callOne } from '../../src/client/call-one.js';
import { DeadlineExceededError, NoNodesError, RemoteError, TransportError } from '../../src/client/errors.js';
import type { PendingCall } from '../../src/client/pending-call.js';
import { RetryBudget } from '../../src/util/retry-budget.js';

type Runtime = Parameters<typeof callOne>[0];

/** How a fake node answers the call it is sent; `hang` never answers. */
type Behaviour = ((call: PendingCall) => void) | 'hang';

/** A fake node: records every call submitted to it and settles it as its behaviour says. */
class FakeNode {
  readonly calls: PendingCall[] = [];
  readonly weight = 1;
  readonly inflight = 0;
  constructor(
    readonly id: string,
    public behaviour: Behaviour,
  ) {}
  latencyMs(): number {
    return 0;
  }
  recentLatencyMs(): number | undefined {
    return undefined;
  }
  available(): boolean {
    return true;
  }
  submit(call: PendingCall): void {
    this.calls.push(call);
    if (this.behaviour !== 'hang') this.behaviour(call);
  }
}

const answers =
  (result: unknown): Behaviour =>
  (call) =>
    call.succeed(result);
const fails =
  (error: unknown): Behaviour =>
  (call) =>
    call.fail(error);
const refused = (id: string) => fails(new TransportError('ECONNREFUSED', id, 'refused'));

/** A fake picker: the first node in list order that `exclude` leaves. */
function picker(nodes: FakeNode[]) {
  return {
    size: nodes.length,
    pick: (o?: { exclude?: ReadonlySet<string> | undefined }) => nodes.find((n) => !o?.exclude?.has(n.id)),
  };
}

/** A runtime over fake nodes; the budget allows every retry unless one is given. */
function runtime(
  nodes: FakeNode[],
  { attempts = 3, deadlineMs = 5_000, budget = new RetryBudget({ ratio: 1, minPerSecond: 1_000 }) } = {},
) {
  const stats = { calls: 0, failures: 0, retries: 0, hedges: 0, fanouts: 0, attemptTimeouts: 0 };
  const rt = {
    membership: { picker: picker(nodes) },
    budget,
    // Attempt timeouts off: these tests are about retries and deadlines (call-give-up.test.ts covers them).
    defaults: { deadlineMs, attempts, hedgeMs: undefined, attemptTimeoutMs: 0 },
    stats,
  } as unknown as Runtime;
  return { rt, stats };
}

const params = { A: 7, B: 8 };

describe('callOne', () => {
  it('retries a transport error on another node and returns that node’s answer', async () => {
    const a = new FakeNode('a', refused('a'));
    const b = new FakeNode('b', answers(56));
    const { rt, stats } = runtime([a, b]);
    await expect(callOne(rt, 'Arith.Multiply', params, {})).resolves.toBe(56);
    expect([a.calls.length, b.calls.length]).toEqual([1, 1]);
    expect(b.calls[0]).toMatchObject({ method: 'Arith.Multiply', params });
    expect(stats).toMatchObject({ calls: 1, retries: 1, failures: 0 });
  });

  it('never retries an application error: it is the answer', async () => {
    const divideByZero = new RemoteError(1001, 'divide by zero', 'a');
    const a = new FakeNode('a', fails(divideByZero));
    const b = new FakeNode('b', answers(0));
    const { rt, stats } = runtime([a, b]);
    await expect(callOne(rt, 'Arith.Divide', { A: 1, B: 0 }, {})).rejects.toBe(divideByZero);
    expect([a.calls.length, b.calls.length]).toEqual([1, 0]);
    expect(stats).toMatchObject({ calls: 1, retries: 0, failures: 1 });
  });

  it('retries a node’s retryable refusal (internal error) like a transport error', async () => {
    const a = new FakeNode('a', fails(new RemoteError(-32603, 'internal error', 'a')));
    const b = new FakeNode('b', answers(56));
    const { rt } = runtime([a, b]);
    await expect(callOne(rt, 'Arith.Multiply', params, {})).resolves.toBe(56);
    expect(b.calls).toHaveLength(1);
  });

  it('passes the deadline to the node, fails with DeadlineExceededError when it passes, and does not retry', async () => {
    const a = new FakeNode('a', 'hang');
    const b = new FakeNode('b', answers(56));
    const { rt } = runtime([a, b]);
    const before = Date.now();
    const pending = callOne(rt, 'Arith.Multiply', params, { deadlineMs: 40 }).catch((e: unknown) => e);
    const after = Date.now();
    expect(a.calls).toHaveLength(1);
    expect(a.calls[0]!.deadlineMs).toBe(40);
    expect(a.calls[0]!.deadlineAt).toBeGreaterThanOrEqual(before + 40);
    expect(a.calls[0]!.deadlineAt).toBeLessThanOrEqual(after + 40);
    const error = await pending;
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).deadlineMs).toBe(40);
    expect(a.calls[0]!.settled).toBe(true);
    expect(b.calls).toHaveLength(0);
  });

  it('gives every retry the same absolute deadline as the first attempt', async () => {
    const a = new FakeNode('a', refused('a'));
    const b = new FakeNode('b', refused('b'));
    const c = new FakeNode('c', answers(56));
    const { rt } = runtime([a, b, c]);
    await callOne(rt, 'Arith.Multiply', params, { deadlineMs: 2_000 });
    const deadlines = [a, b, c].map((n) => n.calls[0]!.deadlineAt);
    expect(new Set(deadlines).size).toBe(1);
  });

  it('stops after `attempts` nodes and throws the last transport error', async () => {
    const nodes = ['a', 'b', 'c'].map((id) => new FakeNode(id, refused(id)));
    const { rt, stats } = runtime(nodes, { attempts: 2 });
    const error = await callOne(rt, 'Arith.Multiply', params, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).nodeId).toBe('b');
    expect(nodes.map((n) => n.calls.length)).toEqual([1, 1, 0]);
    expect(stats).toMatchObject({ retries: 1, failures: 1 });
  });

  it('once every node was tried, tries one again rather than giving up early', async () => {
    let failed = false;
    const a = new FakeNode('a', (call) => {
      if (failed) call.succeed(56);
      else {
        failed = true;
        call.fail(new TransportError('reset', 'a', 'reset'));
      }
    });
    const { rt } = runtime([a], { attempts: 2 });
    await expect(callOne(rt, 'Arith.Multiply', params, {})).resolves.toBe(56);
    expect(a.calls).toHaveLength(2);
  });

  it('does not retry once the retry budget is spent', async () => {
    const a = new FakeNode('a', refused('a'));
    const b = new FakeNode('b', answers(56));
    const empty = new RetryBudget({ ratio: 0, minPerSecond: 0 });
    const { rt, stats } = runtime([a, b], { budget: empty });
    await expect(callOne(rt, 'Arith.Multiply', params, {})).rejects.toBeInstanceOf(TransportError);
    expect([a.calls.length, b.calls.length]).toEqual([1, 0]);
    expect(stats.retries).toBe(0);
  });

  it('retries only as far as the calls’ deposits pay for: one token per retry', async () => {
    const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 0 });
    const a = new FakeNode('a', refused('a'));
    const b = new FakeNode('b', answers(56));
    const { rt } = runtime([a, b], { budget });
    // Two calls deposit 0.5 + 0.5 = one token: the first call's retry is refused (0.5 < 1) ...
    await expect(callOne(rt, 'Arith.Multiply', params, {})).rejects.toBeInstanceOf(TransportError);
    // ... the second call's deposit completes the token and pays for its retry.
    await expect(callOne(rt, 'Arith.Multiply', params, {})).resolves.toBe(56);
    expect(budget.balance(performance.now())).toBe(0);
    expect([a.calls.length, b.calls.length]).toEqual([2, 1]);
  });

  it('fails with NoNodesError when no node is live', async () => {
    const { rt } = runtime([]);
    await expect(callOne(rt, 'Arith.Multiply', params, {})).rejects.toBeInstanceOf(NoNodesError);
  });

  it('rejects with the signal’s reason and sends nothing when the signal is already aborted', async () => {
    const a = new FakeNode('a', answers(56));
    const { rt } = runtime([a]);
    const reason = new Error('caller gave up');
    const error = await callOne(rt, 'Arith.Multiply', params, { signal: AbortSignal.abort(reason) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBe(reason);
    expect(a.calls).toHaveLength(0);
  });
});
