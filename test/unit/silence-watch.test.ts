import { describe, expect, it } from 'vitest';
import { SilenceWatch } from '../../src/client/transport/silence-watch.js';

/** A watch on a fake clock; `tick(now)` advances it and checks once; dead checks run in setImmediate. */
function watched(outstanding = true) {
  let now = 0;
  const events: string[] = [];
  const state = { outstanding };
  const watch = new SilenceWatch({
    silenceMs: 500,
    answerMs: 500,
    outstanding: () => state.outstanding,
    ping: () => events.push(`ping@${now}`),
    dead: (silentMs) => events.push(`dead@${now} silent ${silentMs}`),
    now: () => now,
  });
  const tick = async (at: number): Promise<void> => {
    now = at;
    watch.tick();
    await new Promise((r) => setImmediate(r));
  };
  return { watch, events, state, tick, set: (at: number) => (now = at) };
}

describe('SilenceWatch', () => {
  it('pings after silenceMs with requests outstanding, and declares dead answerMs later', async () => {
    const { events, tick } = watched();
    await tick(499);
    expect(events).toEqual([]);
    await tick(500);
    expect(events).toEqual(['ping@500']);
    await tick(999);
    expect(events).toEqual(['ping@500']);
    await tick(1000);
    expect(events).toEqual(['ping@500', 'dead@1000 silent 1000']);
  });

  it('any byte heard answers the ping and restarts the silence', async () => {
    const { watch, events, tick, set } = watched();
    await tick(600);
    set(700);
    watch.heard();
    await tick(1100);
    expect(events).toEqual(['ping@600']);
    await tick(1200);
    expect(events).toEqual(['ping@600', 'ping@1200']);
  });

  it('bytes read in the same turn as the dead check (this process stalled) count as heard', async () => {
    const { watch, events, set } = watched();
    set(500);
    watch.tick();
    set(5_000); // the process was stalled; the pong waits to be read
    watch.tick(); // the timer fires first...
    watch.heard(); // ...and the socket's data is read before the setImmediate check
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['ping@500']);
  });

  it('stays quiet while nothing is outstanding; busy() starts the silence afresh', async () => {
    const { watch, events, state, tick, set } = watched(false);
    await tick(10_000);
    expect(events).toEqual([]);
    state.outstanding = true;
    set(10_000);
    watch.busy();
    await tick(10_499);
    expect(events).toEqual([]);
    await tick(10_500);
    expect(events).toEqual(['ping@10500']);
  });

  it('rejects thresholds that are not > 0', () => {
    const base = { outstanding: () => true, ping: () => undefined, dead: () => undefined };
    expect(() => new SilenceWatch({ ...base, silenceMs: 0 })).toThrow(RangeError);
    expect(() => new SilenceWatch({ ...base, answerMs: Number.NaN })).toThrow(RangeError);
  });
});
