import type { Etcd3 } from 'etcd3';

/** storedVersions reads every stored result key of a namespace with its etcd version (keys only, paged). */
export async function storedVersions(etcd: Etcd3, ns: string): Promise<Map<string, string>> {
  const prefix = `/${ns}/results/`;
  const end = Buffer.from(`/${ns}/results0`); // '0' follows '/'
  const out = new Map<string, string>();
  let from = Buffer.from(prefix);
  for (;;) {
    const res = await etcd.kv.range({ key: from, range_end: end, keys_only: true, limit: 5_000 });
    for (const kv of res.kvs) out.set(kv.key.toString().slice(prefix.length), kv.version);
    const last = res.kvs.at(-1);
    if (!res.more || !last) return out;
    from = Buffer.concat([last.key, Buffer.from([0])]);
  }
}
