import { EventEmitter } from 'node:events';
import type { NodeChange, NodeInfo, NodeSource } from '../registry/types.js';
import type { Picker, PickerBuilder } from './balance/picker.js';
import { NodeClient, type NodeClientOptions } from './node-client.js';

/**
 * Membership turns a node source's changes into live NodeClients and, on every change, a new
 * immutable Picker built by the chosen balancer. Emits `nodes` with each change.
 */
export class Membership extends EventEmitter<{ nodes: [NodeChange] }> {
  readonly #clients = new Map<string, NodeClient>();
  readonly #build: PickerBuilder;
  readonly #options: NodeClientOptions;
  readonly #exclude: ReadonlySet<string>;
  #picker: Picker<NodeClient>;

  /** `exclude`: node ids never taken in (they are neither called nor counted). */
  constructor(build: PickerBuilder, options: NodeClientOptions, exclude: Iterable<string> = []) {
    super();
    this.#build = build;
    this.#options = options;
    this.#exclude = new Set(exclude);
    this.#picker = build<NodeClient>([]);
  }

  /** attach follows a node source (discovery): current nodes first, then every change. */
  attach(source: NodeSource): void {
    for (const node of source.nodes()) this.apply({ type: 'added', node });
    source.on('change', (change) => this.apply(change));
  }

  /** picker is the current immutable picker. */
  get picker(): Picker<NodeClient> {
    return this.#picker;
  }

  /** size is the number of live nodes. */
  get size(): number {
    return this.#clients.size;
  }

  /** clients lists the live node handles, sorted by id. */
  clients(): NodeClient[] {
    return [...this.#clients.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** nodes lists the live NodeInfo values, sorted by id. */
  nodes(): NodeInfo[] {
    return this.clients().map((c) => c.info);
  }

  /**
   * apply applies one change: creates, replaces or retires a NodeClient and rebuilds the picker. An
   * update keeps the node's connections only if the endpoint its transport dials is unchanged.
   */
  apply(change: NodeChange): void {
    const id = change.node.id;
    if (this.#exclude.has(id)) return;
    const existing = this.#clients.get(id);
    if (change.type === 'removed') {
      if (!existing) return;
      this.#clients.delete(id);
      void existing.close();
    } else if (existing && this.#dialled(existing.info) === this.#dialled(change.node)) {
      existing.info = change.node;
    } else {
      if (existing) void existing.close();
      this.#clients.set(id, new NodeClient(change.node, this.#options));
    }
    this.#picker = this.#build([...this.#clients.values()]);
    this.emit('nodes', change);
  }

  /** #dialled is the endpoint this membership's transport connects to. */
  #dialled(node: NodeInfo): string {
    return this.#options.transport === 'tcp' ? node.endpoints.tcp : node.endpoints.http;
  }

  /** close closes every node's connections. */
  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    this.#picker = this.#build<NodeClient>([]);
    await Promise.allSettled(clients.map((c) => c.close()));
  }
}
