import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/client/batcher.js';
import { Limiter } from '../../src/client/limiter.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Batcher', () => {
  it('sends an item at once when nothing is in flight, and the rest of the tick as one batch', async () => {
    const batches: number[][] = [];
    const release: (() => void)[] = [];
    const b = new Batcher<number>({
      maxBatch: 100,
      maxConcurrent: 4,
      send: (items) => {
        batches.push(items);
        return new Promise<void>((r) => release.push(r));
      },
    });
    for (let i = 0; i < 10; i++) b.push(i);
    expect(batches).toEqual([[0]]); // idle node: no batching hop for a lone caller
    await tick();
    expect(batches).toEqual([[0], [1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    for (const r of release) r();
  });

  // Callers resumed by a batch's answer push their next calls one by one, some before the batch
  // counts as done and some after: they must still go out together, not the first few alone.
  it('sends calls pushed while a batch is answered in one batch, with the scheduled flush', async () => {
    const sent: string[][] = [];
    let release: () => void = () => {};
    const b = new Batcher<string>({
      maxBatch: 128,
      maxConcurrent: 1,
      send: (items) => {
        sent.push(items);
        return new Promise<void>((r) => {
          release = r;
        });
      },
    });
    b.push('a');
    release(); // a's batch is answered; the batcher learns it a microtask later
    b.push('b'); // before it does
    await Promise.resolve();
    await Promise.resolve();
    b.push('c'); // after it did
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([['a'], ['b', 'c']]);
  });

  it('sends a full batch at once and never exceeds maxBatch', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number>({
      maxBatch: 4,
      maxConcurrent: 100,
      send: async (items) => void batches.push(items),
    });
    for (let i = 0; i < 10; i++) b.push(i);
    expect(batches).toEqual([[0], [1, 2, 3, 4], [5, 6, 7, 8]]);
    await tick();
    expect(batches.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...batches.map((x) => x.length))).toBeLessThanOrEqual(4);
  });

  it('holds items while maxConcurrent batches are in flight, then sends them in larger batches', async () => {
    const batches: number[][] = [];
    const release: (() => void)[] = [];
    const b = new Batcher<number>({
      maxBatch: 50,
      maxConcurrent: 1,
      send: (items) => {
        batches.push(items);
        return new Promise<void>((r) => release.push(r));
      },
    });
    b.push(0);
    await tick();
    for (let i = 1; i <= 30; i++) b.push(i);
    await tick();
    expect(batches).toEqual([[0]]);
    expect(b.queued).toBe(30);
    expect(b.inflight).toBe(1);
    release.shift()!();
    await tick();
    expect(batches[1]).toHaveLength(30);
    release.shift()!();
    await tick();
    expect(b.inflight).toBe(0);
  });

  it('delivers every item exactly once under random pushes and concurrency', async () => {
    const seen: number[] = [];
    const b = new Batcher<number>({
      maxBatch: 7,
      maxConcurrent: 3,
      send: async (items) => {
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        seen.push(...items);
      },
    });
    let n = 0;
    for (let round = 0; round < 50; round++) {
      const k = Math.floor(Math.random() * 20);
      for (let i = 0; i < k; i++) b.push(n++);
      await tick();
    }
    while (b.queued > 0 || b.inflight > 0) await new Promise((r) => setTimeout(r, 5));
    expect(seen.sort((a, c) => a - c)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('pushAll sends a group together at once (split at maxBatch), or with the next free slot', async () => {
    const batches: number[][] = [];
    const release: (() => void)[] = [];
    const b = new Batcher<number>({
      maxBatch: 4,
      maxConcurrent: 3,
      send: (items) => {
        batches.push(items);
        return new Promise<void>((r) => release.push(r));
      },
    });
    b.pushAll([1, 2, 3, 4, 5, 6]);
    expect(batches).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    b.pushAll([7, 8]);
    expect(batches).toHaveLength(3); // the third slot
    b.pushAll([9, 10]);
    expect(b.queued).toBe(2); // every slot busy
    release.shift()!();
    await tick();
    expect(batches.at(-1)).toEqual([9, 10]);
    for (const r of release) r();
  });
});

describe('Limiter', () => {
  it('admits up to max at once and hands slots to waiters in FIFO order', async () => {
    const l = new Limiter(2);
    expect(l.acquire()).toBeUndefined();
    expect(l.acquire()).toBeUndefined();
    const order: number[] = [];
    const waits = [1, 2, 3].map((i) => l.acquire()!.then(() => order.push(i)));
    expect(l.waiting).toBe(3);
    expect(l.active).toBe(2);
    l.release();
    l.release();
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual([1, 2]);
    l.release();
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
    l.release();
    l.release();
    expect(l.active).toBe(0);
    expect(l.waiting).toBe(0);
  });

  it('never runs more than max tasks at once across 10,000 tasks', async () => {
    const l = new Limiter(8);
    let running = 0;
    let peak = 0;
    const task = async (): Promise<void> => {
      const w = l.acquire();
      if (w) await w;
      running++;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running--;
      l.release();
    };
    await Promise.all(Array.from({ length: 10_000 }, task));
    expect(peak).toBe(8);
    expect(l.active).toBe(0);
  });
});
