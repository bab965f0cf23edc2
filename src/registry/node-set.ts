import { isValidName } from './keys.js';
import { parseNodeInfo } from './node-info.js';
import type { NodeChange, NodeInfo } from './types.js';

/** NodeKeyValue is one etcd key-value under the nodes prefix, decoded to text. */
export interface NodeKeyValue {
  key: string;
  value: string;
  /** modRevision: the etcd revision that wrote this value (decimal string). */
  modRevision: string;
}

/** InvalidValue is a value that is not a NodeInfo for its key, reported once per key + modRevision. */
export interface InvalidValue {
  key: string;
  modRevision: string;
  reason: string;
}

/** Applied is what one put, delete or replace changed, and which invalid values it saw for the first time. */
export interface Applied {
  changes: NodeChange[];
  invalid: InvalidValue[];
}

interface Entry {
  node: NodeInfo;
  /** canon: the NodeInfo as re-serialized in schema order, to tell real updates from re-puts. */
  canon: string;
}

/**
 * NodeSet is the set of live nodes under one prefix, keyed by node id, with no I/O: discovery feeds
 * it watch events (`put`, `delete`) and full listings (`replace`), and it returns the membership
 * changes each one makes. A key whose value stops parsing counts as removed.
 */
export class NodeSet {
  readonly #entries = new Map<string, Entry>();
  /** #warned: key → the modRevision of the invalid value already reported for it. */
  readonly #warned = new Map<string, string>();

  constructor(readonly prefix: string) {}

  /** size is the number of live nodes. */
  get size(): number {
    return this.#entries.size;
  }

  /** get returns the live node with this id. */
  get(id: string): NodeInfo | undefined {
    return this.#entries.get(id)?.node;
  }

  /** list returns the live nodes sorted by id. */
  list(): NodeInfo[] {
    return [...this.#entries.keys()].sort().map((id) => this.#entries.get(id)!.node);
  }

  /** put applies a put of `kv`: added, updated, removed (value became invalid), or nothing. */
  put(kv: NodeKeyValue): Applied {
    const out: Applied = { changes: [], invalid: [] };
    this.#put(kv, out);
    return out;
  }

  /** delete applies a delete of `key`: removed, or nothing if it was not a live node. */
  delete(key: string): Applied {
    const out: Applied = { changes: [], invalid: [] };
    this.#warned.delete(key);
    const id = this.#idOf(key);
    const old = id === undefined ? undefined : this.#entries.get(id);
    if (id !== undefined && old) {
      this.#entries.delete(id);
      out.changes.push({ type: 'removed', node: old.node });
    }
    return out;
  }

  /** replace makes the set exactly what a full listing holds, returning the diff (removed, updated, added). */
  replace(kvs: readonly NodeKeyValue[]): Applied {
    const next = new Map<string, { kv: NodeKeyValue; entry: Entry }>();
    const invalid: InvalidValue[] = [];
    const seen = new Set<string>();
    for (const kv of kvs) {
      seen.add(kv.key);
      const parsed = this.#parse(kv);
      if ('reason' in parsed) {
        if (this.#firstWarning(kv))
          invalid.push({ key: kv.key, modRevision: kv.modRevision, reason: parsed.reason });
      } else {
        this.#warned.delete(kv.key);
        next.set(parsed.node.id, { kv, entry: parsed });
      }
    }
    for (const key of [...this.#warned.keys()]) if (!seen.has(key)) this.#warned.delete(key);
    const removed: NodeChange[] = [];
    const updated: NodeChange[] = [];
    const added: NodeChange[] = [];
    for (const [id, old] of this.#entries) {
      if (!next.has(id)) removed.push({ type: 'removed', node: old.node });
    }
    for (const [id, { entry }] of next) {
      const old = this.#entries.get(id);
      if (!old) added.push({ type: 'added', node: entry.node });
      else if (old.canon !== entry.canon)
        updated.push({ type: 'updated', node: entry.node, previous: old.node });
    }
    this.#entries.clear();
    for (const [id, { entry }] of next) this.#entries.set(id, entry);
    const byId = (a: NodeChange, b: NodeChange): number =>
      a.node.id < b.node.id ? -1 : a.node.id > b.node.id ? 1 : 0;
    return { changes: [...removed.sort(byId), ...updated.sort(byId), ...added.sort(byId)], invalid };
  }

  #put(kv: NodeKeyValue, out: Applied): void {
    const parsed = this.#parse(kv);
    if ('reason' in parsed) {
      if (this.#firstWarning(kv))
        out.invalid.push({ key: kv.key, modRevision: kv.modRevision, reason: parsed.reason });
      const id = this.#idOf(kv.key);
      const old = id === undefined ? undefined : this.#entries.get(id);
      if (id !== undefined && old) {
        this.#entries.delete(id);
        out.changes.push({ type: 'removed', node: old.node });
      }
      return;
    }
    this.#warned.delete(kv.key);
    const old = this.#entries.get(parsed.node.id);
    this.#entries.set(parsed.node.id, parsed);
    if (!old) out.changes.push({ type: 'added', node: parsed.node });
    else if (old.canon !== parsed.canon)
      out.changes.push({ type: 'updated', node: parsed.node, previous: old.node });
  }

  /** #firstWarning tells whether this key + modRevision has not been reported yet, and records it. */
  #firstWarning(kv: NodeKeyValue): boolean {
    if (this.#warned.get(kv.key) === kv.modRevision) return false;
    this.#warned.set(kv.key, kv.modRevision);
    return true;
  }

  #idOf(key: string): string | undefined {
    if (!key.startsWith(this.prefix)) return undefined;
    const id = key.slice(this.prefix.length);
    return isValidName(id) ? id : undefined;
  }

  #parse(kv: NodeKeyValue): Entry | { reason: string } {
    const id = this.#idOf(kv.key);
    if (id === undefined) return { reason: 'key is not <prefix><node id>' };
    const node = parseNodeInfo(kv.value);
    if (node instanceof Error) return { reason: node.message };
    if (node.id !== id) return { reason: `id ${JSON.stringify(node.id)} does not match the key` };
    return { node, canon: JSON.stringify(node) };
  }
}
