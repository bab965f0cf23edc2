import { describe, expect, it } from 'vitest';
import { MemoryGuard } from '../../src/node/memory-guard.js';

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('MemoryGuard', () => {
  it('collects once resident memory is over its soft limit, at most once per interval', async () => {
    const guard = new MemoryGuard(1, 60_000); // every process is over 1 MB
    const witness = new MemoryGuard(1, 0); // collects on every tick: shows that ticks ran
    guard.start();
    witness.start();
    try {
      expect(await until(() => guard.collections >= 1, 5_000)).toBe(true);
      const at = guard.collections;
      const ticks = witness.collections;
      expect(await until(() => witness.collections >= ticks + 2, 5_000)).toBe(true);
      expect(guard.collections).toBe(at);
    } finally {
      guard.stop();
      witness.stop();
    }
  });

  it('does nothing under its limit, or when off', async () => {
    const high = new MemoryGuard(1_048_576);
    const off = new MemoryGuard(0);
    const low = new MemoryGuard(1, 0);
    high.start();
    off.start();
    low.start();
    try {
      // The low guard, which must collect, is the positive signal that ticks have run.
      expect(await until(() => low.collections >= 2, 5_000)).toBe(true);
      expect(high.collections).toBe(0);
      expect(off.collections).toBe(0);
    } finally {
      high.stop();
      off.stop();
      low.stop();
    }
  });
});
