/**
 * rawTxn: an etcd transaction of key compares, puts and deletes, encoded to protobuf bytes here and
 * sent through etcd3's own connection pool (its hosts, retries, deadlines, auth and error casting),
 * with only `succeeded`, the header revision and whether each nested transaction's compares held
 * read from the answer (raw-txn-decode.ts). The hot write paths (a
 * result transaction of up to 125 puts, a queue ack) spent more CPU in protobufjs than in anything
 * else: `fromObject`/`encode` of every compare and put, then `toObject` of one response header per
 * put (four 64-bit integers each, turned into strings). Strings are written straight into the one
 * request buffer. Other transactions keep `etcd.kv.txn`.
 *
 * Each etcd request costs a worker about a millisecond of CPU in grpc-js, etcd3 and cockatiel
 * whatever it carries (measured on the 2-core bench machine): nested transactions let one request
 * carry several put-if-absent groups of up to 128 ops each (see put-if-absent.ts).
 */
import type { Etcd3 } from 'etcd3';
import { decodeTxnResult, type RawTxnResult } from './raw-txn-decode.js';

/** Bytes: a key or value, as UTF-8 text or as bytes. */
export type Bytes = string | Buffer;

/** RawCompare: create revision `== 0` (absent) or `> 0` (present), or value equal to `value`. */
export type RawCompare =
  | { key: Bytes; created: 'absent' | 'present' }
  | { key: Bytes; value: Bytes; created?: undefined };

/**
 * RawOp: a put of `value` under `key`, a delete of the one key `delete` (no range), or a nested
 * transaction `txn` (its own compares and success ops, nothing on failure; etcd ≥ 3.3, and
 * etcd checks a nested transaction's ops against what its parent leaves of max-txn-ops).
 */
export type RawOp =
  | { key: Bytes; value: Bytes; delete?: undefined; txn?: undefined }
  | { delete: Bytes; key?: undefined; txn?: undefined }
  | { txn: RawNested; key?: undefined; delete?: undefined };

/** RawNested: the compares and success ops of a nested transaction. */
export interface RawNested {
  compare: readonly RawCompare[];
  success: readonly RawOp[];
}

export { decodeTxnResult, type RawTxnResult } from './raw-txn-decode.js';

const METHOD = 'arithRawTxn';

const len = (b: Bytes): number => (typeof b === 'string' ? Buffer.byteLength(b) : b.length);
const varintLen = (n: number): number =>
  n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
/** field: the size of a length-delimited field with a body of `n` bytes (one-byte tag). */
const field = (n: number): number => 1 + varintLen(n) + n;

/** Writer writes protobuf fields into one preallocated buffer. */
class Writer {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  head(tag: number, n: number): void {
    this.buf[this.pos++] = tag;
    this.varint(n);
  }
  bytes(tag: number, b: Bytes, n: number): void {
    this.head(tag, n);
    if (typeof b === 'string') this.pos += this.buf.write(b, this.pos);
    else this.pos += b.copy(this.buf, this.pos);
  }
}

/** Sizes: the protobuf sizes of one transaction level, worked out once before writing. */
interface Sizes {
  /** cmp: per compare, the key's bytes, the value's (0 for a created compare) and the body's. */
  cmp: { k: number; v: number; body: number }[];
  /** op: per success op, its key's and value's bytes, its inner message's and the sizes of a nested txn. */
  op: { k: number; v: number; inner: number; nested?: Sizes }[];
  /** body: the size of this level's TxnRequest body. */
  body: number;
}

function sizes(compare: readonly RawCompare[], success: readonly RawOp[]): Sizes {
  let body = 0;
  const cmp = compare.map((c) => {
    const k = len(c.key);
    const v = c.created === undefined ? len(c.value) : 0;
    const size = 2 + 2 + field(k) + (c.created === undefined ? field(v) : 2);
    body += field(size);
    return { k, v, body: size };
  });
  const op = success.map((o) => {
    let entry: Sizes['op'][number];
    if (o.txn !== undefined) {
      const nested = sizes(o.txn.compare, o.txn.success);
      entry = { k: 0, v: 0, inner: nested.body, nested };
    } else if (o.delete !== undefined) {
      const k = len(o.delete);
      entry = { k, v: 0, inner: field(k) };
    } else {
      const k = len(o.key);
      const v = len(o.value);
      entry = { k, v, inner: field(k) + field(v) };
    }
    body += field(field(entry.inner));
    return entry;
  });
  return { cmp, op, body };
}

function write(w: Writer, s: Sizes, compare: readonly RawCompare[], success: readonly RawOp[]): void {
  compare.forEach((c, i) => {
    const l = s.cmp[i]!;
    w.head(0x0a, l.body);
    // result: EQUAL 0, GREATER 1; target: CREATE 1, VALUE 3.
    w.head(0x08, c.created === 'present' ? 1 : 0);
    w.head(0x10, c.created === undefined ? 3 : 1);
    w.bytes(0x1a, c.key, l.k);
    if (c.created === undefined) w.bytes(0x3a, c.value, l.v);
    else w.head(0x28, 0); // create_revision = 0, set (a oneof member)
  });
  success.forEach((o, i) => {
    const l = s.op[i]!;
    w.head(0x12, field(l.inner));
    if (o.txn !== undefined) {
      w.head(0x22, l.inner); // request_txn
      write(w, l.nested!, o.txn.compare, o.txn.success);
    } else if (o.delete === undefined) {
      w.head(0x12, l.inner); // request_put
      w.bytes(0x0a, o.key, l.k);
      w.bytes(0x12, o.value, l.v);
    } else {
      w.head(0x1a, l.inner); // request_delete_range
      w.bytes(0x0a, o.delete, l.k);
    }
  });
}

/**
 * encodeTxn encodes a TxnRequest (etcdserverpb): compares `Compare{result, target, key,
 * create_revision | value}`, success ops `RequestOp{request_put | request_delete_range | request_txn}`.
 */
export function encodeTxn(compare: readonly RawCompare[], success: readonly RawOp[]): Buffer {
  const s = sizes(compare, success);
  const w = new Writer(Buffer.allocUnsafe(s.body));
  write(w, s, compare, success);
  return w.buf;
}

interface Pool {
  hosts: { getServiceClient(name: string): object }[];
  exec(service: string, method: string, payload: unknown): Promise<unknown>;
}

type UnaryCallback = (err: Error | null, res?: Buffer) => void;
interface GrpcClient {
  makeUnaryRequest(
    path: string,
    serialize: (b: Buffer) => Buffer,
    deserialize: (b: Buffer) => Buffer,
    arg: Buffer,
    metadata: unknown,
    options: unknown,
    cb: UnaryCallback,
  ): unknown;
}

const same = (b: Buffer): Buffer => b;

/** poolOf returns etcd3's connection pool with the raw Txn method on its KV clients (added once). */
function poolOf(etcd: Etcd3): Pool {
  const pool = (etcd as unknown as { pool: Pool }).pool;
  const proto = Object.getPrototypeOf(pool.hosts[0]!.getServiceClient('KV')) as Record<string, unknown>;
  if (!(METHOD in proto)) {
    Object.defineProperty(proto, METHOD, {
      value(this: GrpcClient, arg: Buffer, metadata: unknown, options: unknown, cb: UnaryCallback) {
        return this.makeUnaryRequest('/etcdserverpb.KV/Txn', same, same, arg, metadata, options, cb);
      },
    });
  }
  return pool;
}

/**
 * rawTxn runs one transaction: if every compare holds, the success ops. Errors are etcd3's (cast
 * from gRPC, e.g. NOSPACE, too many operations), after etcd3's retries, as `etcd.kv.txn` throws them.
 */
export async function rawTxn(
  etcd: Etcd3,
  compare: readonly RawCompare[],
  success: readonly RawOp[],
): Promise<RawTxnResult> {
  const pool = poolOf(etcd);
  const res = (await pool.exec('KV', METHOD, encodeTxn(compare, success))) as Buffer;
  return decodeTxnResult(res);
}
