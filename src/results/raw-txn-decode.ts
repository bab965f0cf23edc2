/**
 * The answer of a raw etcd transaction (raw-txn.ts), read straight from the TxnResponse bytes:
 * `succeeded`, the header revision, and for each success op that was a nested transaction whether
 * its compares held; everything else is skipped, never decoded into objects.
 */

/** RawTxnResult: whether the compares held (the success ops ran), the revision etcd answered at, and `nested`. */
export interface RawTxnResult {
  succeeded: boolean;
  revision: string;
  /** nested: per response, true when it is a nested transaction whose compares held (false otherwise). */
  nested: boolean[];
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

/** nestedSucceeded reads a ResponseOp (up to `end`): true when it is a response_txn whose `succeeded` is set. */
function nestedSucceeded(r: Reader, end: number): boolean {
  let ok = false;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag !== 0x22) {
      r.skip(tag & 7);
      continue;
    }
    const txnEnd = r.varint() + r.pos;
    while (r.pos < txnEnd) {
      const t = r.varint();
      if (t === 0x10) ok = r.varint() !== 0;
      else r.skip(t & 7);
    }
  }
  return ok;
}

/** decodeTxnResult reads `succeeded`, `header.revision` and each nested txn's `succeeded` of a TxnResponse. */
export function decodeTxnResult(buf: Buffer): RawTxnResult {
  const r = new Reader(buf);
  let succeeded = false;
  let revision = 0;
  const nested: boolean[] = [];
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
    } else if (tag === 0x1a) {
      const n = r.varint();
      nested.push(nestedSucceeded(r, r.pos + n));
    } else r.skip(tag & 7);
  }
  return { succeeded, revision: String(revision), nested };
}
