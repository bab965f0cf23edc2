import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { callDeadline } from '../../src/client/call-deadline.js';
import { ClusterClosedError, DeadlineExceededError, OverloadedError } from '../../src/client/errors.js';
import { Limiter } from '../../src/client/limiter.js';

/** outcome settles a waiter's promise into a value the test can compare. */
const outcome = (p: Promise<void> | undefined): Promise<unknown> =>
  p === undefined
    ? Promise.resolve('slot')
    : p.then(
        () => 'slot',
        (error: unknown) => error,
      );

describe('Limiter: leaving the queue', () => {
  it('a waiter whose signal aborts rejects at once with its reason and frees its place', async () => {
    const l = new Limiter(1, 1);
    expect(l.acquire()).toBeUndefined();
    const ac = new AbortController();
    const waiting = outcome(l.acquire(ac.signal));
    expect(l.waiting).toBe(1);
    // The queue is full: the next caller is turned away...
    await expect(outcome(l.acquire())).resolves.toBeInstanceOf(OverloadedError);
    const reason = new Error('caller gave up');
    ac.abort(reason);
    expect(l.waiting).toBe(0); // left synchronously, no release needed
    await expect(waiting).resolves.toBe(reason);
    // ...and its place is free again: a new caller queues and gets the slot on release.
    const next = outcome(l.acquire());
    expect(l.waiting).toBe(1);
    l.release();
    await expect(next).resolves.toBe('slot');
    expect(l.active).toBe(1);
  });

  it('a waiter whose deadline passes rejects with DeadlineExceededError; the slot skips it', async () => {
    const l = new Limiter(1);
    expect(l.acquire()).toBeUndefined();
    const late = outcome(l.acquire(undefined, callDeadline(20, 10_000)));
    const patient = outcome(l.acquire(undefined, callDeadline(60_000, 10_000)));
    const error = await late; // settles while the slot is still held: a positive signal
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error).toMatchObject({ deadlineMs: 20, nodeId: undefined, retryable: false });
    expect(l.waiting).toBe(1);
    l.release();
    await expect(patient).resolves.toBe('slot');
  });

  it('expires each waiter at its own deadline, whoever left the queue before it (fake clock)', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const l = new Limiter(1);
      expect(l.acquire()).toBeUndefined();
      const gone: string[] = [];
      const track = (name: string, p: Promise<void> | undefined): void => {
        p?.catch((e: unknown) => gone.push(`${name}@${Date.now()}:${(e as Error).name}`));
      };
      const ac = new AbortController();
      track('a', l.acquire(ac.signal, callDeadline(100, 0)));
      await vi.advanceTimersByTimeAsync(50);
      track('b', l.acquire(undefined, callDeadline(100, 0))); // same length as a: same timer
      track('c', l.acquire(undefined, callDeadline(30, 0)));
      await vi.advanceTimersByTimeAsync(10);
      ac.abort(new Error('a gave up'));
      await vi.advanceTimersByTimeAsync(89); // t = 149: past a's and c's deadlines, not b's
      expect(gone).toEqual(['a@60:Error', 'c@80:DeadlineExceededError']);
      expect(l.waiting).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(gone.at(-1)).toBe('b@150:DeadlineExceededError');
      expect(l.waiting).toBe(0);
      expect(vi.getTimerCount()).toBe(0); // no timer left behind
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts the deadline from the call: one already past never queues', async () => {
    const l = new Limiter(1);
    expect(l.acquire()).toBeUndefined();
    const past = callDeadline(50, 10_000, Date.now() - 100);
    await expect(outcome(l.acquire(undefined, past))).resolves.toBeInstanceOf(DeadlineExceededError);
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(outcome(l.acquire(aborted))).resolves.toMatchObject({ message: 'already' });
    expect(l.waiting).toBe(0);
  });

  it('close rejects every waiter and every later acquire; slots held stay held', async () => {
    const l = new Limiter(1);
    expect(l.acquire()).toBeUndefined();
    const waits = [outcome(l.acquire()), outcome(l.acquire())];
    l.close(new ClusterClosedError());
    for (const w of await Promise.all(waits)) expect(w).toBeInstanceOf(ClusterClosedError);
    await expect(outcome(l.acquire())).resolves.toBeInstanceOf(ClusterClosedError);
    expect(l.active).toBe(1);
    l.release();
    expect(l.active).toBe(0);
  });
});

describe('Limiter: the queue bound', () => {
  it('past maxQueued fails fast with a not-retryable OverloadedError from the client', async () => {
    const l = new Limiter(2, 3);
    l.acquire();
    l.acquire();
    const queued = [1, 2, 3].map(() => outcome(l.acquire()));
    const refused = await outcome(l.acquire());
    expect(refused).toBeInstanceOf(OverloadedError);
    expect(refused).toMatchObject({ code: -32003, nodeId: undefined, retryable: false });
    expect((refused as Error).message).toMatch(/2 calls in flight and 3 waiting/);
    expect(l.waiting).toBe(3);
    for (let i = 0; i < 5; i++) l.release();
    expect(await Promise.all(queued)).toEqual(['slot', 'slot', 'slot']);
    expect(l.active).toBe(0);
  });

  it('maxQueued 0 never waits: a call either gets a slot or is refused', async () => {
    const l = new Limiter(1, 0);
    expect(l.acquire()).toBeUndefined();
    await expect(outcome(l.acquire())).resolves.toBeInstanceOf(OverloadedError);
  });

  it('refuses nonsense bounds with a RangeError', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
    expect(() => new Limiter(1.5)).toThrow(/maxInflight/);
    expect(() => new Limiter(1, -1)).toThrow(/maxQueued/);
    expect(() => new Limiter(1, Number.NaN)).toThrow(RangeError);
    expect(() => new Limiter(1, Number.POSITIVE_INFINITY)).not.toThrow();
  });
});

describe('Limiter: order', () => {
  it('hands slots in FIFO order among the waiters that stay, whatever leaves in between', async () => {
    // Model: a list of waiting ids; ops acquire (with a controller), abort one, or release.
    const op = fc.oneof(
      fc.constant({ kind: 'acquire' as const }),
      fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }),
      fc.constant({ kind: 'release' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.array(op, { maxLength: 60 }), async (max, ops) => {
        const l = new Limiter(max, 1000);
        const granted: number[] = [];
        const expected: number[] = [];
        const queue: { id: number; ac: AbortController }[] = [];
        let active = 0;
        let id = 0;
        const settles: Promise<unknown>[] = [];
        for (const o of ops) {
          if (o.kind === 'acquire') {
            const me = id++;
            const ac = new AbortController();
            const w = l.acquire(ac.signal);
            if (w === undefined) {
              active++;
              granted.push(me);
              expected.push(me);
            } else {
              queue.push({ id: me, ac });
              settles.push(
                w.then(
                  () => granted.push(me),
                  () => undefined,
                ),
              );
            }
          } else if (o.kind === 'abort' && queue.length > 0) {
            const [gone] = queue.splice(o.pick % queue.length, 1);
            gone!.ac.abort(new Error('gone'));
          } else if (o.kind === 'release' && active > 0) {
            l.release();
            const next = queue.shift();
            if (next) expected.push(next.id);
            else active--;
          }
          await new Promise((r) => setImmediate(r)); // let handed-over slots' callbacks run
          expect(l.waiting).toBe(queue.length);
          expect(l.active).toBe(active);
        }
        for (const q of queue) q.ac.abort(new Error('end'));
        await Promise.all(settles);
        expect(granted).toEqual(expected);
      }),
    );
  });
});
