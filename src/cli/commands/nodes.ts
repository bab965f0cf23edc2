import type { Cluster } from '../../client/cluster.js';
import type { DiscoveryStatus, NodeInfo } from '../../registry/types.js';
import { sleep } from '../../util/backoff.js';
import { type Command, openCluster } from '../command.js';
import { ms, table, uptime } from '../format.js';

function rows(nodes: NodeInfo[]): string[][] {
  return nodes.map((n) => [
    n.id,
    n.endpoints.http,
    n.endpoints.tcp,
    String(n.weight),
    uptime(n.startedAt),
    n.version,
  ]);
}

const HEADER = ['ID', 'HTTP', 'TCP', 'WEIGHT', 'UPTIME', 'VERSION'];

/**
 * `arith nodes`: the live nodes as a table (or JSON); `--watch` prints joins, leaves and etcd
 * status changes as they happen (from the SDK's `nodes` and `status` events), and probe latencies.
 */
export const nodesCommand: Command = {
  name: 'nodes',
  summary: 'list the live nodes (--watch: follow joins and leaves)',
  usage: 'arith nodes [--json] [--watch [--interval S]]',
  needsEtcd: true,
  specs: [
    {
      flag: 'watch',
      type: 'boolean',
      help: 'keep running: print joins, leaves, etcd status and per-node probe latency',
    },
    {
      flag: 'interval',
      type: 'int',
      min: 1,
      max: 3600,
      default: 5,
      help: 'seconds between probes with --watch',
    },
  ],
  async run(values, _positionals, io, signal) {
    const cluster = await openCluster(values, signal);
    try {
      const nodes = cluster.nodes();
      if (values.json && !values.watch) {
        io.out(JSON.stringify(nodes, null, 2));
        return 0;
      }
      io.out(nodes.length ? table(HEADER, rows(nodes)) : 'no live nodes');
      if (!values.watch) return 0;
      await watch(cluster, values.interval as number, Boolean(values.json), io, signal);
      return 0;
    } finally {
      await cluster.close();
    }
  },
};

async function watch(
  cluster: Cluster,
  intervalS: number,
  json: boolean,
  io: { out(t: string): void },
  signal: AbortSignal,
) {
  const stamp = (): string => new Date().toISOString().slice(11, 19);
  cluster.on('nodes', (change) => {
    if (json) return io.out(JSON.stringify({ event: change.type, node: change.node }));
    const mark = change.type === 'added' ? '+' : change.type === 'removed' ? '-' : '~';
    io.out(`${stamp()} ${mark} ${change.node.id} ${change.node.endpoints.http} (${change.type})`);
  });
  cluster.on('status', (status) => {
    if (json) return io.out(JSON.stringify({ event: 'status', status }));
    io.out(`${stamp()} ! ${describeStatus(status, cluster.nodes().length)}`);
  });
  while (!signal.aborted) {
    await sleep(intervalS * 1000, signal);
    if (signal.aborted || cluster.nodes().length === 0) continue;
    const receipts = await cluster.all('Arith.Add', { A: 0, B: 0 }, { deadlineMs: 2_000 }).catch(() => []);
    const stats = cluster.stats();
    const status = cluster.status();
    if (json) {
      io.out(
        JSON.stringify({
          event: 'stats',
          receipts: receipts.map((r) => ({ nodeId: r.nodeId, ok: r.ok, ms: r.ms })),
          stats,
        }),
      );
      continue;
    }
    const parts = receipts.map((r) => `${r.nodeId} ${r.ok ? ms(r.ms) : 'DOWN'}`);
    const etcd = status.connected ? 'etcd ok' : `etcd stale ${Math.round(status.stalenessMs / 1000)}s`;
    io.out(
      `${stamp()}   probe: ${parts.join(', ')}; ${etcd}; calls=${stats.calls} retries=${stats.retries} ejections=${stats.nodes.reduce((a, n) => a + n.ejections, 0)}`,
    );
  }
}

/** describeStatus renders one etcd status event for people. */
function describeStatus(status: DiscoveryStatus, nodes: number): string {
  switch (status.type) {
    case 'connected':
      return 'etcd connected: watching for changes';
    case 'disconnected':
      return `etcd disconnected: keeping ${nodes} last-known node(s) until it is back`;
    case 'relisted':
      return `etcd relisted: ${status.nodes} node(s) at revision ${status.revision}`;
  }
}
