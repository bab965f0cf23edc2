/**
 * The gateway bench rows' helpers: one `arith gateway` process shared by the gateway scenarios
 * (started by the first, stopped by the last), and the table that checks its target: through the
 * gateway at least 1.0× the Go client's calls/s straight to one node, p50 added under 0.1 ms.
 */
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/free-port.js';
import type { BenchContext, Summary } from './context.js';
import { type ServerProcess, spawnServer } from './procs.js';
import { profEnv, profiledRoles } from './profiling.js';
import type { Table } from './report.js';
import { round } from './stats.js';

const ARITH_BIN = fileURLToPath(new URL('../../dist/cli/arith.js', import.meta.url));

/** GatewayProcess is the running gateway: its HTTP and TCP ports and its pid. */
export interface GatewayProcess extends ServerProcess {
  tcpPort: number;
}

/** sharedGateway hands one gateway process to each scenario that acquires it, until all release it. */
export function sharedGateway(ctx: BenchContext): {
  acquire(): Promise<GatewayProcess>;
  release(): Promise<void>;
} {
  let users = 0;
  let started: Promise<GatewayProcess> | undefined;
  return {
    acquire: () => {
      users++;
      started ??= start(ctx);
      return started;
    },
    release: async () => {
      if (--users > 0 || !started) return;
      const gw = await started.catch(() => undefined);
      started = undefined;
      await gw?.stop();
    },
  };
}

async function start(ctx: BenchContext): Promise<GatewayProcess> {
  // spawnServer reads the HTTP port from the `--json` line; the TCP port is chosen here.
  const tcpPort = await freePort();
  const args = [
    ARITH_BIN,
    'gateway',
    '--port',
    '0',
    '--tcp-port',
    String(tcpPort),
    '--json',
    '--log-level',
    'warn',
  ];
  args.push('--etcd', ctx.etcd.endpoints.join(','), '--namespace', ctx.main.namespace);
  const env = { ...process.env, ETCD_ENDPOINTS: '', ARITH_NAMESPACE: '', ...profEnv() };
  const server = await spawnServer('arith gateway', process.execPath, args, env);
  profiledRoles.set(server.pid, 'arith gateway');
  return { ...server, tcpPort };
}

/** GatewayRow is what the gateway table reads of a throughput row. */
type GatewayRow = Pick<Summary, 'callsPerSec' | 'p50Ms' | 'serverCpuPct' | 'runs'> & {
  id: string;
  callers: number;
};

/**
 * gatewayTable compares, at each concurrency, the Go client through the gateway (to 3 nodes) with
 * the same client straight to one node, and reports the gateway's own CPU per call (its process
 * only) and the p50 it adds. Empty when the gateway rows did not run.
 */
export function gatewayTable(rows: readonly GatewayRow[]): Table | undefined {
  const find = (id: string, callers: number) =>
    rows.find((r) => r.id === id && r.callers === callers && r.runs > 0);
  const callers = [...new Set(rows.map((r) => r.callers))];
  const out: Table['rows'] = [];
  for (const n of callers) {
    const via = find('go-gateway', n);
    const direct = find('go-to-node', n);
    const http = find('http-gateway', n);
    const relay = find('go-relay', n);
    if (!via && !http) continue;
    const ratio =
      via && direct && direct.callsPerSec > 0 ? round(via.callsPerSec / direct.callsPerSec, 2) : undefined;
    const added = via && direct ? round(via.p50Ms - direct.p50Ms, 3) : undefined;
    const relayAdded = relay && direct ? round(relay.p50Ms - direct.p50Ms, 3) : undefined;
    const relayRatio =
      relay && direct && direct.callsPerSec > 0
        ? round(relay.callsPerSec / direct.callsPerSec, 2)
        : undefined;
    out.push([
      n,
      via?.callsPerSec,
      direct?.callsPerSec,
      ratio,
      added,
      relayRatio,
      relayAdded,
      cpuUsPerCall(via),
      http?.callsPerSec,
      cpuUsPerCall(http),
    ]);
  }
  if (out.length === 0) return undefined;
  return {
    title: 'Gateway: Go net/rpc/jsonrpc client through `arith gateway` (3 nodes) vs straight to 1 node',
    columns: [
      'callers',
      'Go → gateway calls/s',
      'Go → node calls/s',
      'ratio',
      'p50 added ms',
      'bare relay ratio',
      'bare relay p50 added ms',
      'gateway CPU µs/call (Go)',
      'HTTP → gateway calls/s',
      'gateway CPU µs/call (HTTP)',
    ],
    rows: out,
    notes: [
      'Target: ratio ≥ 1.0 at 64 and 256 callers; p50 added < 0.1 ms at 1 caller.',
      'Bare relay: row go-relay, the same Go client through a Go TCP relay that only copies bytes, to the same one node: the floor of any extra hop here.',
      'Rows go-gateway, http-gateway (section 1); gateway CPU: the gateway process alone (server CPU % of those rows) / calls.',
    ],
  };
}

function cpuUsPerCall(r: GatewayRow | undefined): number | undefined {
  if (!r || r.serverCpuPct === undefined || !(r.callsPerSec > 0)) return undefined;
  return round((r.serverCpuPct / 100 / r.callsPerSec) * 1e6, 1);
}
