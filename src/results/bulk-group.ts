/**
 * One group of a bulk job (up to 64 ops): find which keys are already stored (when worth a read),
 * compute the rest with the job's verify mode, store the answers with one put-if-absent batch, and
 * count every op as stored, skipped, failed or conflicting.
 */

import { isRetryable, NoNodesError, QuorumError } from '../client/errors.js';
import { type Verified, verifiedCall, verifiedOne } from '../client/verify-modes.js';
import { sleep } from '../util/backoff.js';
import { isPermanentEtcdError } from '../util/retry-etcd.js';
import type { BulkTally } from './bulk-tally.js';
import type { BulkCaller, BulkOp, BulkStore, MapOptions } from './bulk-types.js';
import type { ExistingCheck } from './existing-check.js';
import { checkKey, deriveKeyFromWire, wireParams } from './result-key.js';
import { makeRecord, type ResultRecord, sameComputation, type VerifyMode } from './result-record.js';
import type { StoreOutcome } from './store-many.js';

/** Prepared is an op with its wire params and result key. */
export interface Prepared {
  op: BulkOp;
  key: string;
  wire: unknown;
}

/** GroupContext is what every group of one job shares. */
export interface GroupContext {
  caller: BulkCaller;
  store: BulkStore;
  tally: BulkTally;
  options: MapOptions;
  verify: VerifyMode;
  jobId: string;
  existing: ExistingCheck;
}

/** prepare normalises params and resolves keys; ops that cannot be stored fail here. */
export function prepare(ops: BulkOp[], tally: BulkTally): Prepared[] {
  tally.read(ops.length);
  const out: Prepared[] = [];
  for (const op of ops) {
    try {
      const wire = wireParams(op.method, op.params);
      out.push({
        op,
        wire,
        key: op.key === undefined ? deriveKeyFromWire(op.method, wire) : checkKey(op.key),
      });
    } catch (error) {
      tally.fail({ kind: 'failed', key: op.key, method: op.method, error: error as Error });
    }
  }
  return out;
}

/** runGroup: read which keys exist, compute the rest, store them in one put-if-absent batch. */
export async function runGroup(group: Prepared[], ctx: GroupContext): Promise<void> {
  const firsts = new Map<string, Prepared>();
  const duplicates: Prepared[] = [];
  for (const p of group) {
    if (firsts.has(p.key)) duplicates.push(p);
    else firsts.set(p.key, p);
  }
  const failed = await settleUnique([...firsts.values()], ctx);
  if (!failed || ctx.options.signal?.aborted) return;
  for (const dup of duplicates) {
    const first = firsts.get(dup.key)!;
    const issue = { key: dup.key, method: dup.op.method };
    if (failed.has(dup.key)) {
      ctx.tally.fail({
        ...issue,
        kind: 'failed',
        error: new Error('the same key failed earlier in this job'),
      });
    } else if (sameComputation(computation(first), computation(dup))) {
      ctx.tally.skip(1);
    } else {
      ctx.tally.fail({
        ...issue,
        kind: 'conflict',
        error: new Error('the key names two different computations'),
      });
    }
  }
}

/**
 * settleUnique runs the group's distinct keys through read, compute and store; resolves with the
 * keys that failed, or undefined when the job was cancelled first. etcd errors that no retry can
 * fix (a refused request, a closed client) fail the ops involved; a batch split over several
 * transactions (records over 1 MB in all) fails as a whole though some of it may be stored (a
 * rerun then finds those stored).
 */
async function settleUnique(unique: Prepared[], ctx: GroupContext): Promise<Set<string> | undefined> {
  const { tally, options } = ctx;
  const failed = new Set<string>();
  const failAll = (ops: Array<{ key: string; method: string }>, error: unknown): Set<string> => {
    if (!isPermanentEtcdError(error)) throw error;
    for (const { key, method } of ops) {
      tally.fail({ kind: 'failed', key, method, error: error as Error });
      failed.add(key);
    }
    return failed;
  };
  let missing = unique;
  if (ctx.existing.reading) {
    let found: Set<string> | undefined;
    try {
      found = await ctx.store.findStored(
        unique.map((p) => p.key),
        options.signal,
      );
    } catch (error) {
      return failAll(unique.map(computation), error);
    }
    if (!found) return undefined;
    ctx.existing.observe(found.size);
    const stored = found;
    missing = unique.filter((p) => !stored.has(p.key));
    tally.skip(unique.length - missing.length);
  }
  const computed = await computeAll(missing, ctx);
  const records: ResultRecord[] = [];
  const storedAt = new Date().toISOString();
  for (let i = 0; i < computed.length; i++) {
    const p = missing[i]!;
    const got = computed[i];
    if (!got) {
      failed.add(p.key);
      continue;
    }
    const { answer, nodes } = got;
    const fields = {
      key: p.key,
      method: p.op.method,
      params: p.wire,
      answer,
      nodes,
      verify: ctx.verify,
      job: ctx.jobId,
    };
    records.push(makeRecord(fields, storedAt));
  }
  if (records.length === 0) return failed;
  let outcomes: StoreOutcome[] | undefined;
  try {
    outcomes = await ctx.store.storeMany(records, options.signal);
  } catch (error) {
    return failAll(records, error);
  }
  if (!outcomes) return undefined;
  countStored(records, outcomes, ctx);
  return failed;
}

/** computation is the key, method and wire params of an op. */
function computation(p: Prepared): { key: string; method: string; params: unknown } {
  return { key: p.key, method: p.op.method, params: p.wire };
}

/**
 * countStored counts each record as stored, skipped (an equal record was there: stored by another
 * writer, or by an earlier try whose answer was lost) or conflicting.
 */
function countStored(records: ResultRecord[], outcomes: StoreOutcome[], ctx: GroupContext): void {
  const storedKeys: string[] = [];
  outcomes.forEach((outcome, i) => {
    const record = records[i]!;
    if (outcome.status === 'stored') storedKeys.push(record.key);
    else if (outcome.status === 'agrees') ctx.tally.skip(1);
    else {
      const why = outcome.unreadable
        ? `unreadable stored value: ${outcome.unreadable.message}`
        : 'stored record disagrees';
      ctx.tally.fail({
        kind: 'conflict',
        key: record.key,
        method: record.method,
        error: new Error(why),
        ...(outcome.stored ? { stored: outcome.stored } : {}),
        computed: record,
      });
    }
  });
  if (storedKeys.length < records.length) ctx.existing.observe(records.length - storedKeys.length);
  ctx.tally.store(storedKeys.length);
  if (storedKeys.length > 0) ctx.options.onStored?.(storedKeys);
}

/**
 * computeAll computes a group's ops. In `one` mode they go together (`callMany`: one batch to one
 * node, failover per call); an op that still failed retryably then takes computeOne's slower
 * retries. `quorum` and `all` ask every node per op.
 */
async function computeAll(ps: Prepared[], ctx: GroupContext): Promise<(Verified | undefined)[]> {
  if (ctx.verify !== 'one') return Promise.all(ps.map((p) => computeOne(p, ctx)));
  const { signal, deadlineMs } = ctx.options;
  const outcomes = await ctx.caller.callMany(
    ps.map((p) => ({ method: p.op.method, params: p.wire })),
    { signal, deadlineMs },
  );
  return Promise.all(
    outcomes.map((outcome, i) => {
      const verified = verifiedOne(outcome);
      if (verified || outcome.ok) return verified;
      const p = ps[i]!;
      if (signal?.aborted) return undefined;
      if (!isRetryable(outcome.error)) return computeFailed(p, outcome.error, ctx);
      return computeOne(p, ctx, { attempt: 1, error: outcome.error });
    }),
  );
}

/** computeFailed counts an op whose answer could not be obtained; always undefined. */
function computeFailed(p: Prepared, error: unknown, ctx: GroupContext): undefined {
  const kind = error instanceof QuorumError ? 'disagreement' : 'failed';
  ctx.tally.fail({ kind, key: p.key, method: p.op.method, error: error as Error });
  return undefined;
}

/**
 * computeOne computes one op, retrying retryable failures (3 tries in all); undefined if it failed.
 * `after`: a first try already failed so (in computeAll's callMany); back off, then go on from there.
 */
async function computeOne(
  p: Prepared,
  ctx: GroupContext,
  after?: { attempt: number; error: unknown },
): Promise<Verified | undefined> {
  const { signal, deadlineMs } = ctx.options;
  const method = p.op.method;
  if (after) await backOff(ctx.caller, after.error, after.attempt, signal);
  for (let attempt = after ? after.attempt + 1 : 1; ; attempt++) {
    try {
      const got = await verifiedCall(ctx.caller, method, p.wire, ctx.verify, { signal, deadlineMs });
      if (got.dissent.length > 0)
        ctx.tally.issue({ kind: 'dissent', key: p.key, method, dissent: got.dissent });
      return got;
    } catch (error) {
      if (signal?.aborted) return undefined;
      if (!isRetryable(error) || attempt >= 3) return computeFailed(p, error, ctx);
      await backOff(ctx.caller, error, attempt, signal);
    }
  }
}

/** backOff waits before another try: for a node to appear after NoNodesError, else 200 ms × attempt. */
async function backOff(caller: BulkCaller, error: unknown, attempt: number, signal: AbortSignal | undefined) {
  if (!(error instanceof NoNodesError)) await sleep(200 * attempt, signal);
  else
    await caller.ready({ nodes: 1, timeoutMs: 5_000, ...(signal ? { signal } : {}) }).catch(() => undefined);
}
