import {
  GRPCDeadlineExceededError,
  GRPCInvalidArgumentError,
  GRPCUnavailableError,
  isRecoverableError,
} from 'etcd3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isUnreachable } from '../../src/registry/etcd-client.js';
import { HedgedTries } from '../../src/registry/etcd-hedge.js';
import { RetryBudget } from '../../src/util/retry-budget.js';

const OPTIONS = {
  callMs: 4_000,
  minHedgeMs: 100,
  maxHedgeMs: 250,
  maxInFlight: 4,
  retryable: isRecoverableError,
};

/** tries records each try's start time and lets the test settle it. */
function tries<T>() {
  const started: Array<{ at: number; resolve(v: T): void; reject(e: unknown): void }> = [];
  const fn = () =>
    new Promise<T>((resolve, reject) => {
      started.push({ at: Date.now(), resolve, reject });
    });
  return { started, fn };
}

describe('HedgedTries', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives a try left unanswered for the hedge delay a companion, and the first answer settles the call', async () => {
    const policy = new HedgedTries(OPTIONS);
    const { started, fn } = tries<string>();
    const call = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(99);
    expect(started).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toHaveLength(2); // the first still waits: a leaderless follower drops writes silently
    started[1]!.resolve('second');
    await expect(call).resolves.toBe('second');
    started[0]!.resolve('first'); // a late answer of the first try is ignored
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(2);
  });

  it('hedges only within its budget: a slow etcd is not sent maxInFlight times its load', async () => {
    const hedgeBudget = new RetryBudget({ ratio: 0, minPerSecond: 1 });
    const policy = new HedgedTries({ ...OPTIONS, hedgeBudget });
    const { started, fn } = tries<string>();
    const calls = [policy.execute(fn), policy.execute(fn)];
    await vi.advanceTimersByTimeAsync(900);
    expect(started).toHaveLength(3); // two first tries and the one hedge the budget allows this second
    expect(policy.hedges).toBe(1);
    for (const s of started) s.resolve('ok');
    await expect(Promise.all(calls)).resolves.toEqual(['ok', 'ok']);
    // Without a token a failed try is still followed at once (that is a retry, not a hedge).
    const { started: more, fn: fn2 } = tries<string>();
    const call = policy.execute(fn2);
    await vi.advanceTimersByTimeAsync(0);
    more[0]!.reject(new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED'));
    await vi.advanceTimersByTimeAsync(0);
    expect(more).toHaveLength(2);
    more[1]!.resolve('late');
    await expect(call).resolves.toBe('late');
  });

  it('keeps one try per hedge delay going while none answers, at most maxInFlight at once', async () => {
    const policy = new HedgedTries(OPTIONS);
    const { started, fn } = tries<string>();
    const call = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(950);
    expect(started.map((s) => s.at - started[0]!.at)).toEqual([0, 100, 200, 300]);
    started[0]!.reject(new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED'));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toHaveLength(5); // a slot freed and the hedge delay has passed: at once
    started[4]!.resolve('landed');
    await expect(call).resolves.toBe('landed');
  });

  it('follows a failure with the next try at once, and further failures after growing delays', async () => {
    const policy = new HedgedTries(OPTIONS);
    const { started, fn } = tries<string>();
    const call = policy.execute(fn);
    const refused = () => new GRPCUnavailableError('14 UNAVAILABLE: read ECONNRESET');
    started[0]!.reject(refused());
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toHaveLength(2);
    started[1]!.reject(refused());
    await vi.advanceTimersByTimeAsync(49);
    expect(started).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toHaveLength(3);
    started[2]!.resolve('ok');
    await expect(call).resolves.toBe('ok');
  });

  it('ends the call on an error no other member would answer differently', async () => {
    const policy = new HedgedTries(OPTIONS);
    const { started, fn } = tries<string>();
    const call = policy.execute(fn);
    const refused = new GRPCInvalidArgumentError('3 INVALID_ARGUMENT: too many operations');
    started[0]!.reject(refused);
    await expect(call).rejects.toBe(refused);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(started).toHaveLength(1);
  });

  it('starts no try once the call has run callMs, and fails with the last error', async () => {
    const policy = new HedgedTries(OPTIONS);
    let calls = 0;
    const down = new GRPCUnavailableError('14 UNAVAILABLE: connect ECONNREFUSED');
    const call = policy.execute(async () => {
      calls++;
      throw down;
    });
    const failed = expect(call).rejects.toBe(down);
    await vi.advanceTimersByTimeAsync(OPTIONS.callMs);
    await failed;
    expect(calls).toBeGreaterThan(5);
    expect(calls).toBeLessThan(15); // backed off, not spun
  });

  it('sets its hedge delay from the latency of successful tries, within its bounds', async () => {
    const policy = new HedgedTries(OPTIONS);
    expect(policy.hedgeMs).toBe(100);
    for (let i = 0; i < 20; i++) {
      const call = policy.execute(() => new Promise<number>((r) => setTimeout(() => r(i), 40)));
      await vi.advanceTimersByTimeAsync(40);
      await call;
    }
    expect(policy.hedgeMs).toBeGreaterThan(150);
    expect(policy.hedgeMs).toBeLessThanOrEqual(160);
    for (let i = 0; i < 20; i++) {
      const call = policy.execute(() => new Promise<number>((r) => setTimeout(() => r(i), 90)));
      await vi.advanceTimersByTimeAsync(250);
      await call;
    }
    expect(policy.hedgeMs).toBe(250);
  });
});

describe('isUnreachable', () => {
  it('is true for a member that cannot be reached, false for its answers and for deadlines', () => {
    expect(isUnreachable(new GRPCUnavailableError('14 UNAVAILABLE: read ECONNRESET'))).toBe(true);
    expect(isUnreachable(new GRPCUnavailableError('14 UNAVAILABLE: No connection established'))).toBe(true);
    expect(isUnreachable(new GRPCUnavailableError('14 UNAVAILABLE: etcdserver: no leader'))).toBe(false);
    expect(isUnreachable(new GRPCUnavailableError('14 UNAVAILABLE: etcdserver: leader changed'))).toBe(false);
    expect(isUnreachable(new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED'))).toBe(false);
  });
});
