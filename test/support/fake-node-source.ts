import { EventEmitter } from 'node:events';
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
