/**
 * Per-attempt timeouts in `callOne` and `callMany`, with fake nodes and a fake clock: an attempt
 * past its node's timeout is given up there and retried on another node when the retry budget
 * allows, and otherwise keeps waiting; the given-up node's late answer is ignored.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callMany } from '../../src/client/call-many.js';
import { callOne } from '../../src/client/call-one.js';
import type { CallRuntime } from '../../src/client/call-runtime.js';
import type { Membership } from '../../src/client/membership.js';
import type { PendingCall } from '../../src/client/pending-call.js';
import { RetryBudget } from '../../src/util/retry-budget.js';

/** A fake node: keeps what it is sent; `answer` settles those calls (or answers at once if `eager`). */
function fakeNode(id: string, eager = false) {
  const calls: PendingCall[] = [];
  const node = {
    id,
    weight: 1,
    inflight: 0,
    gaveUp: 0,
    latencyMs: () => 1,
    recentLatencyMs: () => 1,
    available: () => true,
    onGaveUp: () => node.gaveUp++,
    submit: (c: PendingCall) => (eager ? c.succeed(`${id}:${c.method}`) : calls.push(c)),
    submitAll: (cs: readonly PendingCall[]) => {
      for (const c of cs) node.submit(c);
    },
    calls,
    answer: () => {
      for (const c of calls) c.succeed(`${id}:${c.method}`);
    },
  };
  return node;
}

function runtime(nodes: ReturnType<typeof fakeNode>[], budget = new RetryBudget()): CallRuntime {
  const picker = {
    size: nodes.length,
    pick: (o?: { exclude?: ReadonlySet<string> }) => nodes.find((n) => !o?.exclude?.has(n.id)),
  };
  return {
    membership: { picker } as unknown as Membership,
    budget,
    defaults: { deadlineMs: 10_000, attempts: 3, hedgeMs: undefined, attemptTimeoutMs: 100 },
    stats: { calls: 0, failures: 0, retries: 0, hedges: 0, fanouts: 0, attemptTimeouts: 0 },
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('per-attempt timeouts', () => {
  it('callOne gives a silent node up after attemptTimeoutMs and answers from another', async () => {
    const [a, b] = [fakeNode('a'), fakeNode('b', true)];
    const rt = runtime([a, b]);
    const result = callOne(rt, 'M', {}, {});
    await vi.advanceTimersByTimeAsync(99);
    expect(a.gaveUp).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await result).toBe('b:M');
    expect(a.gaveUp).toBe(1);
    expect(rt.stats).toMatchObject({ attemptTimeouts: 1, retries: 1, failures: 0 });
    a.answer(); // the original answers late: ignored
    expect(a.calls[0]!.settled).toBe(true);
  });

  it('keeps waiting on the node when the retry budget has nothing left', async () => {
    const [a, b] = [fakeNode('a'), fakeNode('b', true)];
    const rt = runtime([a, b], new RetryBudget({ ratio: 0, minPerSecond: 0 }));
    const result = callOne(rt, 'M', {}, {});
    await vi.advanceTimersByTimeAsync(150);
    expect(a.gaveUp).toBe(1); // counted against the node...
    expect(a.calls[0]!.settled).toBe(false); // ...but not given up: no retry was allowed
    a.answer();
    expect(await result).toBe('a:M');
    expect(rt.stats.attemptTimeouts).toBe(0);
  });

  it('0 turns attempt timeouts off (per call)', async () => {
    const [a, b] = [fakeNode('a'), fakeNode('b', true)];
    const rt = runtime([a, b]);
    const result = callOne(rt, 'M', {}, { attemptTimeoutMs: 0 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(a.gaveUp).toBe(0);
    a.answer();
    expect(await result).toBe('a:M');
  });

  it('also works with hedging: a hedge, then both given up, the third node answers', async () => {
    const [a, b, c] = [fakeNode('a'), fakeNode('b'), fakeNode('c', true)];
    const rt = runtime([a, b, c]);
    const result = callOne(rt, 'M', {}, { hedgeMs: 50, attemptTimeoutMs: 500 });
    await vi.advanceTimersByTimeAsync(50);
    expect(b.calls).toHaveLength(1); // hedged after 50 ms
    await vi.advanceTimersByTimeAsync(500);
    expect(await result).toBe('c:M');
    expect(rt.stats.hedges).toBe(1);
  });

  it('callMany gives a silent node up and sends the group together to another', async () => {
    const [a, b] = [fakeNode('a'), fakeNode('b', true)];
    const rt = runtime([a, b]);
    const out = callMany(
      rt,
      [
        { method: 'X', params: {} },
        { method: 'Y', params: {} },
      ],
      {},
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(await out).toEqual([
      { ok: true, result: 'b:X', nodeId: 'b' },
      { ok: true, result: 'b:Y', nodeId: 'b' },
    ]);
    expect(a.gaveUp).toBe(1);
    expect(rt.stats).toMatchObject({ attemptTimeouts: 1, failures: 0 });
  });
});
