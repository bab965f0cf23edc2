import type { Etcd3 } from 'etcd3';
import { type Cluster, type ConnectOptions, connect, type NodeChange } from '../../src/index.js';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { uniqueNamespace } from './namespace.js';
import { stopAllNodes } from './process.js';

/**
 * ClusterFixture holds what one integration test file opens: an etcd admin client, its namespaces,
 * SDK clients and extra cleanups. `close()` (call it in afterAll) closes the clients, kills the
 * file's nodes, deletes its namespaces and runs the cleanups in reverse order.
 */
export class ClusterFixture {
  readonly admin: Etcd3;
  readonly clusters: Cluster[] = [];
  readonly namespaces: string[] = [];
  readonly cleanups: Array<() => unknown> = [];

  constructor(readonly endpoints: string[]) {
    this.admin = createEtcdClient({ endpoints });
  }

  /** namespace returns a fresh namespace, deleted at close. */
  namespace(name: string): string {
    const ns = uniqueNamespace(name);
    this.namespaces.push(ns);
    return ns;
  }

  /** open connects an SDK client (closed at close) to `etcd` (default: the shared one). */
  async open(ns: string, options: Partial<ConnectOptions> = {}, etcd = this.endpoints): Promise<Cluster> {
    const cluster = await connect({ etcd, namespace: ns, ...options });
    this.clusters.push(cluster);
    return cluster;
  }

  /** close releases everything this fixture opened. */
  async close(): Promise<void> {
    await Promise.all(this.clusters.map((c) => c.close()));
    await stopAllNodes();
    for (const ns of this.namespaces) {
      // Each namespace is this file's alone: a delete that outlasts its deadline on a busy etcd
      // (a queue test leaves 100,000 result keys) leaves data no other test reads. Say so, do not fail.
      await this.admin
        .delete()
        .prefix(`/${ns}/`)
        .exec()
        .catch((error: unknown) =>
          console.warn(`[fixture] /${ns}/ not deleted: ${(error as Error).message}`),
        );
    }
    this.admin.close();
    for (const fn of this.cleanups.reverse()) await fn();
  }
}

/** nextChange resolves with Date.now() at the first `nodes` event of this type and id. */
export function nextChange(
  c: Cluster,
  type: NodeChange['type'],
  id: string,
  timeoutMs = 5_000,
): Promise<number> {
  const p = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off('nodes', on);
      reject(new Error(`no ${type} ${id} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (change: NodeChange): void => {
      if (change.type !== type || change.node.id !== id) return;
      clearTimeout(timer);
      c.off('nodes', on);
      resolve(Date.now());
    };
    c.on('nodes', on);
  });
  p.catch(() => undefined);
  return p;
}
