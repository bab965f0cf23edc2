/**
 * The test-only `--fault wrong-answer`: a node whose arithmetic is off by one. It applies wherever
 * the node answers, over RPC (the dispatcher) and in its queue worker alike, so that verification
 * (quorum calls, queued quorum jobs, `results.verify`) can be shown to catch it.
 */
import type { ArithResult } from '../arith/methods.js';

/** wrongAnswer returns `result` off by one (a quotient's `Quo` for Divide). */
export function wrongAnswer(result: ArithResult): ArithResult {
  return typeof result === 'bigint' ? result + 1n : { ...result, Quo: result.Quo + 1n };
}
