/**
 * The etcd retry policy (cockatiel) and retryEtcd on scripted operations: transient failures are
 * retried with delays in the upper half of each exponential step, permanent ones are not, the
 * first failure of a streak and every 20th are logged, and an abort ends the wait at once.
 */
import { Writable } from 'node:stream';
import { GRPCInvalidArgumentError } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { abortable } from '../../src/util/abortable.js';
import { logFailure } from '../../src/util/failure-log.js';
import { etcdRetryPolicy, retryEtcd, runRetrying } from '../../src/util/retry-etcd.js';

function capture() {
  const lines: Array<{ msg: string; failures: number; err: string }> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'warn', destination, pretty: false }) };
}

/** failing returns an op that rejects `n` times with `error`, then resolves with 'ok'. */
function failing(n: number, error: () => Error = () => new Error('unavailable')) {
  let calls = 0;
  const op = async (): Promise<string> => {
    calls++;
    if (calls <= n) throw error();
    return 'ok';
  };
  return { op, calls: () => calls };
}

describe('logFailure', () => {
  it('logs the first failure of a streak and every 20th', () => {
    const { lines, logger } = capture();
    const logged = Array.from({ length: 60 }, (_, i) => i + 1).filter((n) =>
      logFailure(logger, n, new Error('down'), 'retrying'),
    );
    expect(logged).toEqual([1, 20, 40, 60]);
    expect(lines.map((l) => l.failures)).toEqual([1, 20, 40, 60]);
    expect(lines[0]).toMatchObject({ msg: 'retrying', err: 'down' });
  });
});

describe('etcdRetryPolicy', () => {
  it('retries until success, with delays from the upper half of each step, capped at maxMs', async () => {
    const { lines, logger } = capture();
    const policy = etcdRetryPolicy({ logger, message: 'op failed; retrying', initialMs: 2, maxMs: 8 });
    const delays: number[] = [];
    policy.onRetry((r) => delays.push(r.delay));
    const { op, calls } = failing(5);
    await expect(runRetrying(policy, op)).resolves.toBe('ok');
    expect(calls()).toBe(6);
    const steps = [2, 4, 8, 8, 8];
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(steps[i]! / 2);
      expect(d).toBeLessThanOrEqual(steps[i]!);
    });
    expect(lines.map((l) => [l.msg, l.failures])).toEqual([['op failed; retrying', 1]]);
  });

  it('gives up after maxAttempts with the last error, and at once for errors it may not retry', async () => {
    const { logger } = capture();
    const limited = etcdRetryPolicy({ logger, message: 'm', initialMs: 1, maxMs: 1, maxAttempts: 3 });
    const three = failing(10);
    await expect(runRetrying(limited, three.op)).rejects.toThrow('unavailable');
    expect(three.calls()).toBe(3);
    const picky = etcdRetryPolicy({
      logger,
      message: 'm',
      initialMs: 1,
      maxMs: 1,
      retryable: (e) => e.message !== 'fatal',
    });
    const fatal = failing(10, () => new Error('fatal'));
    await expect(runRetrying(picky, fatal.op)).rejects.toThrow('fatal');
    expect(fatal.calls()).toBe(1);
  });

  it('rejects with the abort reason as soon as the signal aborts, mid-backoff, and tries no more', async () => {
    const { logger } = capture();
    const policy = etcdRetryPolicy({ logger, message: 'm', initialMs: 60_000, maxMs: 60_000 });
    const ac = new AbortController();
    const { op, calls } = failing(Number.POSITIVE_INFINITY);
    policy.onRetry(() => ac.abort(new Error('stop')));
    await expect(runRetrying(policy, op, ac.signal)).rejects.toThrow('stop');
    expect(calls()).toBe(1);
  });
});

describe('retryEtcd', () => {
  it('resolves with the value after transient failures, logging once', async () => {
    const { lines, logger } = capture();
    const { op, calls } = failing(2);
    await expect(retryEtcd(op, logger, undefined)).resolves.toBe('ok');
    expect(calls()).toBe(3);
    expect(lines.map((l) => [l.msg, l.failures])).toEqual([['etcd request failed; retrying', 1]]);
  });

  it('rejects a permanent etcd error without retrying, and stops after maxAttempts', async () => {
    const { logger } = capture();
    const bad = failing(10, () => new GRPCInvalidArgumentError('etcdserver: request is too large'));
    await expect(retryEtcd(bad.op, logger, undefined)).rejects.toBeInstanceOf(GRPCInvalidArgumentError);
    expect(bad.calls()).toBe(1);
    const flaky = failing(10);
    await expect(retryEtcd(flaky.op, logger, undefined, 2)).rejects.toThrow('unavailable');
    expect(flaky.calls()).toBe(2);
  });

  it('resolves undefined once the signal aborts, even with an attempt in flight', async () => {
    const { logger } = capture();
    const ac = new AbortController();
    const never = new Promise<string>(() => undefined);
    const pending = retryEtcd(() => never, logger, ac.signal);
    ac.abort();
    await expect(pending).resolves.toBeUndefined();
    await expect(retryEtcd(async () => 'x', logger, ac.signal)).resolves.toBeUndefined();
  });
});

describe('abortable', () => {
  it('passes the result through, rejects with the reason on abort, and handles a late rejection', async () => {
    await expect(abortable(Promise.resolve(1), new AbortController().signal)).resolves.toBe(1);
    await expect(abortable(Promise.resolve(2), undefined)).resolves.toBe(2);
    const ac = new AbortController();
    let fail: (e: Error) => void = () => undefined;
    const late = new Promise<number>((_, reject) => {
      fail = reject;
    });
    const p = abortable(late, ac.signal);
    ac.abort(new Error('gone'));
    await expect(p).rejects.toThrow('gone');
    fail(new Error('late')); // handled by abortable: no unhandled rejection fails the run
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(abortable(Promise.reject(new Error('x')), aborted)).rejects.toThrow('already');
  });
});
