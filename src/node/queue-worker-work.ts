/**
 * A worker's part that runs only once it holds a chunk: parse the claimed chunk, compute it, store
 * its results and ack it. The queue worker imports this file when it first claims a chunk, not at
 * start: it brings the results store, the quorum vote and zod (about 5 MB of RSS together), which a
 * node that never sees a job does not need.
 */
import { parseChunk } from '../results/queue/chunk.js';
import { emptyTally } from '../results/queue/tally.js';
import { type AckContext, type AckKeys, storeAndAck } from './queue-worker-ack.js';
import { type ComputeContext, type ComputedChunk, computeClaimedChunk } from './queue-worker-chunk.js';

export { tryFinalize } from '../results/queue/finalize.js';

/**
 * computeStoreAck computes the claimed chunk `value` (a chunk that does not parse counts all its ops
 * failed, `INVALID_OP`), stores its results and acks it; resolves false if the claim was lost.
 */
export async function computeStoreAck(
  compute: ComputeContext,
  ack: AckContext,
  chunk: { jobId: string; name: string },
  value: Buffer,
  keys: AckKeys,
): Promise<boolean> {
  const parsed = parseChunk(value.toString('utf8'));
  let computed: ComputedChunk;
  if (parsed instanceof Error) {
    const issue = {
      kind: 'failed' as const,
      method: '?',
      error: { code: 'INVALID_OP', message: parsed.message },
    };
    computed = {
      records: [],
      tally: { ...emptyTally(), failed: Number(chunk.name.split('-')[1]), issues: [issue] },
    };
  } else computed = await computeClaimedChunk(parsed, chunk.jobId, compute);
  return storeAndAck(ack, computed.records, computed.tally, keys);
}
