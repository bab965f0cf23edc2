/**
 * A chunk: up to CHUNK_OPS ops (and MAX_CHUNK_BYTES) of one job stored under one key, as compact JSON
 * `{"v":1,"verify":"one","ops":[{"m":method,"p":wireParams,"k"?:key},...]}`. Params are in the wire
 * encoding (safe integers as numbers, larger ones as decimal strings), so plain JSON carries them
 * exactly; a key is kept only when the submitter gave one (workers derive the others).
 */
import { METHOD_NAMES } from '../../arith/methods.js';
import type { BulkOp } from '../bulk-types.js';
import { checkKey, wireParams } from '../result-key.js';
import type { VerifyMode } from '../result-record.js';
import { QueueError } from './queue-error.js';

/**
 * CHUNK_OPS: default ops per chunk (a worker's unit of claim, compute, store and ack). Each chunk
 * costs a claim, an ack and a watch event to every worker and follower whatever its size: in the
 * queue bench (100,000 ops, 3 workers) 250 gave ~15,000 results/s, 500 ~18,000, 1,000 ~21,000-23,000.
 * Bigger chunks mean more work redone after a crash (a worker holds `concurrency` chunks at once).
 */
export const CHUNK_OPS = 1_000;

/**
 * MAX_CHUNK_BYTES: the most bytes of op JSON one chunk holds; a chunk closes at CHUNK_OPS ops or at
 * this size, whichever comes first. etcd refuses a request over 1.5 MiB (and grpc-js a message
 * over 2 MiB), a submit transaction carries several chunks, and a worker's result transactions
 * carry every op's params again with its result: 300 ops of two 4,000-digit numbers (2.4 MB)
 * made one chunk etcd could not take.
 */
export const MAX_CHUNK_BYTES = 256 * 1024;

/** ChunkOp is one op as a chunk holds it. */
export interface ChunkOp {
  m: string;
  p: unknown;
  k?: string;
}

/** Chunk is a decoded chunk value. */
export interface Chunk {
  v: 1;
  verify: VerifyMode;
  ops: ChunkOp[];
}

const KNOWN = new Set(METHOD_NAMES);

/**
 * toChunkOp validates and normalises one op (wire params, key checked).
 * @throws QueueError `INVALID_OP` naming the problem (unknown method, bad params, bad key).
 */
export function toChunkOp(op: BulkOp): ChunkOp {
  if (!op || typeof op.method !== 'string' || !KNOWN.has(op.method)) {
    throw new QueueError('INVALID_OP', `unknown method ${JSON.stringify(op?.method)}`);
  }
  try {
    const p = wireParams(op.method, op.params);
    return op.key === undefined ? { m: op.method, p } : { m: op.method, p, k: checkKey(op.key) };
  } catch (error) {
    throw new QueueError('INVALID_OP', `${op.method}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * encodeChunkOp validates one op (see toChunkOp) and returns its JSON as a chunk holds it.
 * @throws QueueError `INVALID_OP`, also for an op larger than a whole chunk (MAX_CHUNK_BYTES).
 */
export function encodeChunkOp(op: BulkOp): string {
  const json = JSON.stringify(toChunkOp(op));
  if (json.length > MAX_CHUNK_BYTES) {
    throw new QueueError(
      'INVALID_OP',
      `${op.method}: ${json.length} bytes of JSON, more than one chunk holds (${MAX_CHUNK_BYTES})`,
    );
  }
  return json;
}

/** serializeChunk writes a chunk value from its ops' JSON (encodeChunkOp). */
export function serializeChunk(verify: VerifyMode, ops: readonly string[]): string {
  return `{"v":1,"verify":${JSON.stringify(verify)},"ops":[${ops.join(',')}]}`;
}

/** parseChunk decodes a chunk value, or returns an Error saying why it is not one. */
export function parseChunk(text: string): Chunk | Error {
  let raw: Partial<Chunk>;
  try {
    raw = JSON.parse(text) as Partial<Chunk>;
  } catch {
    return new Error('chunk is not JSON');
  }
  if (raw?.v !== 1 || !Array.isArray(raw.ops)) return new Error('not a v1 chunk');
  if (raw.verify !== 'one' && raw.verify !== 'quorum') return new Error(`chunk verify ${raw.verify}`);
  for (const op of raw.ops) {
    if (!op || typeof op.m !== 'string' || op.p === undefined) return new Error('chunk holds a bad op');
    if (op.k !== undefined && typeof op.k !== 'string') return new Error('chunk holds a bad key');
  }
  return raw as Chunk;
}
