/**
 * rawTxn: an etcd transaction of key compares, puts and deletes, encoded to protobuf bytes here and
 * sent through etcd3's own connection pool (its hosts, retries, deadlines, auth and error casting),
 * with only `succeeded` and the header revision read from the answer. The hot write paths (a
 * result transaction of up to 125 puts, a queue ack) spent more CPU in protobufjs than in anything
 * else: `fromObject`/`encode` of every compare and put, then `toObject` of one response header per
 * put (four 64-bit integers each, turned into strings). Strings are written straight into the one
 * request buffer. Other transactions keep `etcd.kv.txn`.
 */
import type { Etcd3 } from 'etcd3';

/** Bytes: a key or value, as UTF-8 text or as bytes. */
export type Bytes = string | Buffer;

/** RawCompare: create revision `== 0` (absent) or `> 0` (present), or value equal to `value`. */
export type RawCompare =
  | { key: Bytes; created: 'absent' | 'present' }
  | { key: Bytes; value: Bytes; created?: undefined };

/** RawOp: a put of `value` under `key`, or a delete of the one key `delete` (no range). */
export type RawOp = { key: Bytes; value: Bytes; delete?: undefined } | { delete: Bytes; key?: undefined };

/** RawTxnResult: whether the compares held (the success ops ran) and the revision etcd answered at. */
export interface RawTxnResult {
  succeeded: boolean;
  revision: string;
}

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

/**
 * encodeTxn encodes a TxnRequest (etcdserverpb): compares `Compare{result, target, key,
 * create_revision | value}`, success ops `RequestOp{request_put | request_delete_range}`.
 */
export function encodeTxn(compare: readonly RawCompare[], success: readonly RawOp[]): Buffer {
  const cmpLens = compare.map((c) => {
    const k = len(c.key);
    const body = 2 + 2 + field(k) + (c.created === undefined ? field(len(c.value)) : 2);
    return { k, v: c.created === undefined ? len(c.value) : 0, body };
  });
  const opLens = success.map((o) => {
    const k = len(o.delete === undefined ? o.key : o.delete);
    const v = o.delete === undefined ? len(o.value) : 0;
    const inner = field(k) + (o.delete === undefined ? field(v) : 0);
    return { k, v, inner, body: field(inner) };
  });
  let total = 0;
  for (const c of cmpLens) total += field(c.body);
  for (const o of opLens) total += field(o.body);
  const w = new Writer(Buffer.allocUnsafe(total));
  compare.forEach((c, i) => {
    const l = cmpLens[i]!;
    w.head(0x0a, l.body);
    // result: EQUAL 0, GREATER 1; target: CREATE 1, VALUE 3.
    w.head(0x08, c.created === 'present' ? 1 : 0);
    w.head(0x10, c.created === undefined ? 3 : 1);
    w.bytes(0x1a, c.key, l.k);
    if (c.created === undefined) w.bytes(0x3a, c.value, l.v);
    else w.head(0x28, 0); // create_revision = 0, set (a oneof member)
  });
  success.forEach((o, i) => {
    const l = opLens[i]!;
    w.head(0x12, l.body);
    if (o.delete === undefined) {
      w.head(0x12, l.inner); // request_put
      w.bytes(0x0a, o.key, l.k);
      w.bytes(0x12, o.value, l.v);
    } else {
      w.head(0x1a, l.inner); // request_delete_range
      w.bytes(0x0a, o.delete, l.k);
    }
  });
  return w.buf;
}

/** Reader reads protobuf varints and skips fields. */
class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(): number {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('etcd txn answer: truncated varint');
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 128;
    }
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) {
      const n = this.varint(); // not `pos += varint()`: that adds to the position before the length
      this.pos += n;
    } else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw new Error(`etcd txn answer: wire type ${wire}`);
  }
}

/** decodeTxnResult reads `succeeded` and `header.revision` of a TxnResponse, skipping its responses. */
export function decodeTxnResult(buf: Buffer): RawTxnResult {
  const r = new Reader(buf);
  let succeeded = false;
  let revision = 0;
  while (r.pos < buf.length) {
    const tag = r.varint();
    if (tag === 0x10) succeeded = r.varint() !== 0;
    else if (tag === 0x0a) {
      const n = r.varint();
      const end = r.pos + n;
      while (r.pos < end) {
        const t = r.varint();
        if (t === 0x18) revision = r.varint();
        else r.skip(t & 7);
      }
    } else r.skip(tag & 7);
  }
  return { succeeded, revision: String(revision) };
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
