import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransportError } from '../../src/client/errors.js';
import { NodeHealth } from '../../src/client/node-health.js';
import { NodeProber } from '../../src/client/node-prober.js';

/** Each ping waits for the test to settle it: `pings[i].answer()` or `pings[i].fail(kind)`. */
function fakePing() {
  const pings: { answer: () => void; fail: (kind: 'timeout' | 'refused') => void }[] = [];
  const ping = (): Promise<void> =>
    new Promise((resolve, reject) => {
      pings.push({ answer: resolve, fail: (kind) => reject(new TransportError('probe', 'n1', kind)) });
    });
  return { pings, ping };
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] }));
afterEach(() => vi.useRealTimers());

describe('NodeProber (fake clock)', () => {
  it('probes once when the ejection ends, again at once after a timeout, and re-admits on the answer', async () => {
    const health = new NodeHealth({ baseMs: 100, random: () => 0.5 });
    const { pings, ping } = fakePing();
    const prober = new NodeProber(health, ping);
    prober.onFailure('timeout');
    expect(health.available(performance.now())).toBe(false);
    await vi.advanceTimersByTimeAsync(99);
    expect(pings).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(pings).toHaveLength(1);
    pings[0]!.fail('timeout');
    await vi.advanceTimersByTimeAsync(0);
    expect(pings).toHaveLength(2); // no gap: a thawed node is re-admitted as soon as it answers
    expect(health.available(performance.now())).toBe(false);
    pings[1]!.answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(health.state(performance.now())).toBe('closed');
    expect(health.available(performance.now())).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pings).toHaveLength(2); // closed: no more probes
    prober.close();
  });

  it('after a refused probe, waits out the doubled ejection before the next', async () => {
    const health = new NodeHealth({ baseMs: 100, random: () => 0.5 });
    const { pings, ping } = fakePing();
    const prober = new NodeProber(health, ping);
    prober.onFailure('refused');
    await vi.advanceTimersByTimeAsync(100);
    pings[0]!.fail('refused');
    await vi.advanceTimersByTimeAsync(199);
    expect(pings).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(pings).toHaveLength(2);
    expect(health.ejections).toBe(2);
    prober.close();
  });

  it('close stops a scheduled probe', async () => {
    const health = new NodeHealth({ baseMs: 100, random: () => 0.5 });
    const { pings, ping } = fakePing();
    const prober = new NodeProber(health, ping);
    prober.onFailure('refused');
    prober.close();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pings).toHaveLength(0);
  });
});
