/**
 * Where a queued job lives in etcd: everything of job J under `/<ns>/queue/<J>/`, in three
 * families: `c/<seq>-<n>` a chunk of n ops (value: the ops), `w/<seq>-<n>` the claim of that chunk
 * (value: the worker's claim token, attached to the worker's lease), `t/<seq>-<n>` the tally of an
 * acked chunk (value: its counts). The op count is in the key so that counts need no values.
 */

/** queuePrefix is the etcd prefix of every queued job of a namespace. */
export function queuePrefix(namespace: string): string {
  return `/${namespace}/queue/`;
}

/** jobQueuePrefix is the etcd prefix of everything job `jobId` keeps in the queue. */
export function jobQueuePrefix(namespace: string, jobId: string): string {
  return `${queuePrefix(namespace)}${jobId}/`;
}

/** QueueKeyKind: `c` chunk, `w` claim, `t` tally. */
export type QueueKeyKind = 'c' | 'w' | 't';

/** chunkName is the key part `<seq>-<n>`: seq zero-padded so that keys sort in submission order. */
export function chunkName(seq: number, n: number): string {
  return `${String(seq).padStart(10, '0')}-${n}`;
}

/** queueKey is the full key of one chunk, claim or tally. */
export function queueKey(namespace: string, jobId: string, kind: QueueKeyKind, name: string): string {
  return `${jobQueuePrefix(namespace, jobId)}${kind}/${name}`;
}

/** ParsedQueueKey is a queue key taken apart. */
export interface ParsedQueueKey {
  jobId: string;
  kind: QueueKeyKind;
  /** name: `<seq>-<n>`, the same for a chunk, its claim and its tally. */
  name: string;
  /** ops: n, the number of ops in the chunk. */
  ops: number;
}

const KEY = /^([^/]+)\/([cwt])\/(\d{10})-(\d+)$/;

/** parseQueueKey takes a key under `queuePrefix(namespace)` apart, or returns undefined if it is not one. */
export function parseQueueKey(namespace: string, key: string): ParsedQueueKey | undefined {
  const base = queuePrefix(namespace);
  if (!key.startsWith(base)) return undefined;
  const m = KEY.exec(key.slice(base.length));
  if (!m) return undefined;
  return { jobId: m[1]!, kind: m[2] as QueueKeyKind, name: `${m[3]}-${m[4]}`, ops: Number(m[4]) };
}
