/**
 * The fuzz suite's short run, part of `npm test`: about FUZZ_SECONDS (default 30) per transport
 * against a real node process. Longer runs: `npm run fuzz -- --seconds 300 [--transport tcp] [--seed S]`.
 * FUZZ_SEED replays a run; the seed is printed either way.
 */
import { describe, expect, it } from 'vitest';
import { runFuzz } from './run-fuzz.js';

const seconds = Number(process.env.FUZZ_SECONDS ?? 30);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

describe.each(['http', 'tcp'] as const)('fuzzing a node over %s', (transport) => {
  it(
    `keeps the node alive, exact and answering every request validly (seed ${seed})`,
    async () => {
      const report = await runFuzz({ seconds, transport, seed, log: (line) => console.log(line) });
      console.log(`[fuzz] ${JSON.stringify({ ...report, failures: report.failures.length })}`);
      expect(report.failures).toEqual([]);
      expect(report.phases).toBeGreaterThan(0);
    },
    (seconds + 120) * 1000,
  );
});
