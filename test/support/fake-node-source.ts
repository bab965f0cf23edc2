import { EventEmitter } from 'node:events';
import type { Etcd3 } from 'etcd3';
import { pickerBuilder } from '../../src/client/balance/balancers.js';
import { Cluster } from '../../src/client/cluster.js';
import type { ConnectOptions } from '../../src/client/connect-options.js';
import type { Limiter } from '../../src/client/limiter.js';
import { Membership } from '../../src/client/membership.js';
import type {
  DiscoveryState,
  DiscoveryStatus,
  NodeChange,
  NodeInfo,
  NodeSource,
} from '../../src/registry/types.js';

/** FakeSource is a NodeSource driven by the test: `emit('change', …)` plays a watch event. */
export class FakeSource
  extends EventEmitter<{ change: [NodeChange]; status: [DiscoveryStatus] }>
  implements NodeSource
{
  constructor(readonly list: NodeInfo[] = []) {
    super();
  }
  nodes(): NodeInfo[] {
    return [...this.list].sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  status(): DiscoveryState {
    return { connected: true, staleSince: undefined, stalenessMs: 0, revision: '1', relists: 1 };
  }
  async close(): Promise<void> {}
}

/**
 * clusterOnSource builds a Cluster whose nodes come from `source` (p2c, TCP, one connection per
 * node) and whose etcd is a stub: for unit tests of the call path without discovery.
 */
export function clusterOnSource(
  source: FakeSource,
  options: Partial<ConnectOptions> = {},
  limiter?: Limiter,
): Cluster {
  const membership = new Membership(pickerBuilder('p2c'), {
    transport: 'tcp',
    connections: 1,
    pipeline: 32,
    maxBatch: 128,
    connectTimeoutMs: 1_000,
  });
  membership.attach(source);
  const etcd = { close: () => undefined } as unknown as Etcd3;
  return new Cluster(etcd, source, membership, { etcd: [], namespace: 'unit', ...options }, limiter);
}
