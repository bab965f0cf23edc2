/**
 * Paged range reads that stay under the etcd client's 4 MB answer limit whatever the value sizes:
 * how many keys to ask for is learned from the values read so far.
 */
import { type Etcd3, GRPCResourceExhastedError, type IKeyValue } from 'etcd3';

/** BUDGET: value bytes to ask etcd for at once, under the client's 4 MB message limit. */
const BUDGET = 3_000_000;

/** SAFE_KEYS: keys that always fit (etcd's default request limit keeps a value under 1.5 MiB). */
const SAFE_KEYS = 2;

/** RangePage is one page of a range read: keys and values in key order, and whether more follow. */
export interface RangePage {
  kvs: IKeyValue[];
  more: boolean;
}

/** after is the first etcd key after `key`. */
export function after(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}

/** prefixEnd is the etcd range end that covers every key starting with `prefix`. */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/**
 * RangeReader reads pages of a key range (linearizable). A page is gathered from one or more range
 * requests, each sized from the largest value of the previous one (the first asks for 2 keys when
 * nothing is known yet); if etcd's answer is still too large, it asks for 2 keys and learns again.
 */
export class RangeReader {
  /** #largest: the largest value of the last request, or undefined before the first. */
  #largest: number | undefined;

  constructor(private readonly etcd: Etcd3) {}

  /** page reads up to `limit` keys of [from, end). */
  async page(from: Buffer, end: Buffer, limit: number): Promise<RangePage> {
    const kvs: IKeyValue[] = [];
    let key = from;
    for (;;) {
      const want = limit - kvs.length;
      const fits =
        this.#largest === undefined ? SAFE_KEYS : Math.floor(BUDGET / Math.max(this.#largest, 256));
      const res = await this.#range(key, end, Math.max(1, Math.min(want, fits)));
      kvs.push(...res.kvs);
      const last = res.kvs.at(-1);
      if (!res.more || !last) return { kvs, more: false };
      if (kvs.length >= limit) return { kvs, more: true };
      key = after(last.key);
    }
  }

  async #range(key: Buffer, end: Buffer, limit: number): Promise<RangePage> {
    let res: RangePage;
    try {
      res = await this.etcd.kv.range({ key, range_end: end, limit });
    } catch (error) {
      if (!(error instanceof GRPCResourceExhastedError) || limit <= SAFE_KEYS) throw error;
      res = await this.etcd.kv.range({ key, range_end: end, limit: SAFE_KEYS });
    }
    this.#largest = res.kvs.reduce((m, kv) => Math.max(m, kv.value.length + kv.key.length), 0);
    return res;
  }
}
