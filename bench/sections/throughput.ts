/**
 * Section 1: call throughput and latency of `Arith.Multiply` at 1, 64 and 256 concurrent callers,
 * each client in this process (or its own process for Go) against server process(es):
 * the SDK against 3 nodes (its default TCP transport with auto-batching on and off, and over HTTP),
 * a plain jayson HTTP client against a jayson server, a bare node:http client against a node:http
 * JSON echo server (the HTTP floor), Go's net/rpc/jsonrpc client against Go's net/rpc server (the
 * seed's design), and the same Go client against one of our nodes' TCP endpoint (interop under load),
 * and through `arith gateway` to the 3 nodes (with a bare HTTP client through the gateway too).
 */
import http from 'node:http';
import jayson from 'jayson';
import { type BenchContext, errorText, type SectionOutput, type Summary, summarise } from '../lib/context.js';
import { CpuMeter } from '../lib/cpu.js';
import { type GatewayProcess, gatewayTable, sharedGateway } from '../lib/gateway.js';
import { goLoad, startGoRelay, startGoServer } from '../lib/go.js';
import { closedLoop, type LoadFigures, type OnceFn, withTimeout } from '../lib/load.js';
import { type NodeCounters, nodeCounters } from '../lib/node-metrics.js';
import { rssOf, type ServerProcess, spawnTsServer } from '../lib/procs.js';
import { measuredWindow } from '../lib/profiling.js';
import type { Table } from '../lib/report.js';
import { type Cluster, connect } from '../lib/sdk.js';
import { round } from '../lib/stats.js';
import { moleculer } from './throughput-moleculer.js';
import { sdkTls, tlsRatioNotes } from './throughput-tls.js';

/** ThroughputRow is one scenario at one concurrency, the median over runs. */
export interface ThroughputRow extends Summary {
  id: string;
  scenario: string;
  callers: number;
  skipped?: string;
}

/** Scenario is one client/server pair: set up once, measured at every concurrency, torn down. */
export interface Scenario {
  id: string;
  label: string;
  setup(): Promise<void>;
  /** warm: unmeasured load once before the first run, so that run 1 does not pay for the JIT. */
  warm?(): Promise<void>;
  run(callers: number): Promise<LoadFigures>;
  teardown(): Promise<void>;
}

/** Client is one scenario's client: one call, its servers' pids, optional node counters, and close. */
export interface Client {
  once: OnceFn;
  serverPids: number[];
  /** counters: the servers' calls and requests (HTTP requests, TCP lines) so far (arith-node /metrics), for calls per request. */
  counters?: () => Promise<NodeCounters>;
  close(): Promise<void>;
}

/**
 * nodeScenario wraps a client made by `open` (in this process) in warm-up + closed-loop measurement,
 * with the CPU this process and the servers used meanwhile.
 */
function nodeScenario(ctx: BenchContext, id: string, label: string, open: () => Promise<Client>): Scenario {
  let client: Client | undefined;
  return {
    id,
    label,
    setup: async () => {
      client = await open();
    },
    warm: async () => {
      if (client) await closedLoop(64, 0.5, client.once);
    },
    run: (callers) => {
      // A server that stops answering must not hang the bench: give up well after the planned end.
      const limit = (ctx.opts.warmupMs / 1000 + ctx.opts.seconds) * 1000 + 30_000;
      return withTimeout(measure(callers), limit, `${id}@${callers}`);
    },
    teardown: async () => {
      await client?.close();
    },
  };

  async function measure(callers: number): Promise<LoadFigures> {
    if (!client) throw new Error('not set up');
    const c = client;
    await closedLoop(callers, ctx.opts.warmupMs / 1000, c.once);
    const before = c.counters ? await c.counters() : undefined;
    const clientCpu = new CpuMeter([process.pid]);
    const serverCpu = new CpuMeter(c.serverPids);
    const f = await measuredWindow(`${id}@${callers}`, () => closedLoop(callers, ctx.opts.seconds, c.once));
    const cpu = { clientCpuPct: clientCpu.stop(), serverCpuPct: serverCpu.stop() };
    if (!before || !c.counters) return { ...f, ...cpu };
    const after = await c.counters();
    const requests = after.requests - before.requests;
    const callsPerRequest = requests > 0 ? round((after.calls - before.calls) / requests, 1) : Number.NaN;
    return { ...f, ...cpu, callsPerRequest };
  }
}

function check(got: unknown, want: number): void {
  if (got !== want) throw new Error(`wrong result ${JSON.stringify(got)}, want ${want}`);
}

/** sdk: the SDK over its default transport (TCP), or over HTTP (`transport: 'http'`, id `sdk-http`). */
function sdk(ctx: BenchContext, batching: boolean, transport: 'tcp' | 'http' = 'tcp'): Scenario {
  const conns = ctx.opts.sdkConns ? `, ${ctx.opts.sdkConns} conns/node` : '';
  return nodeScenario(
    ctx,
    transport === 'http' ? 'sdk-http' : `sdk-batch-${batching ? 'on' : 'off'}`,
    transport === 'http'
      ? `SDK over HTTP (transport: 'http'), 3 nodes, auto-batching on${conns}`
      : `SDK, 3 nodes, auto-batching ${batching ? 'on' : 'off'}${conns}`,
    async () => {
      const cluster: Cluster = await connect({
        etcd: ctx.etcd.endpoints,
        namespace: ctx.main.namespace,
        batching,
        transport,
        ...(ctx.opts.sdkConns === undefined ? {} : { connectionsPerNode: ctx.opts.sdkConns }),
      });
      await cluster.ready({ nodes: ctx.main.nodes.length, timeoutMs: 10_000 });
      return {
        once: async (c, i) => check(await cluster.call('Arith.Multiply', { A: c, B: i }), c * i),
        serverPids: ctx.main.nodes.map((n) => n.pid),
        counters: () => nodeCounters(ctx.main.nodes.map((n) => n.http)),
        close: () => cluster.close(),
      };
    },
  );
}

function jaysonPair(ctx: BenchContext): Scenario {
  let server: ServerProcess | undefined;
  return nodeScenario(ctx, 'jayson', 'jayson HTTP client → jayson server, 1 call/request', async () => {
    server = await spawnTsServer('jayson-server.ts');
    const agent = new http.Agent({ keepAlive: true });
    const client = jayson.client.http({ host: '127.0.0.1', port: server.port, agent });
    return {
      once: async (c, i) => {
        const res = await new Promise<{ result?: unknown; error?: unknown }>((resolve, reject) =>
          client.request('Arith.Multiply', { A: c, B: i }, (err: unknown, response: unknown) =>
            err ? reject(err) : resolve(response as { result?: unknown }),
          ),
        );
        if (res.error !== undefined) throw new Error(JSON.stringify(res.error));
        check(res.result, c * i);
      },
      serverPids: [server.pid],
      close: async () => {
        agent.destroy();
        await server?.stop();
      },
    };
  });
}

/** httpJsonRpc is a bare node:http keep-alive client making one JSON-RPC 2.0 call per POST. */
function httpJsonRpc(port: number): { once: OnceFn; agent: http.Agent } {
  const agent = new http.Agent({ keepAlive: true });
  let nextId = 1;
  const post = (body: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve(text));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    agent,
    once: async (c, i) => {
      const id = nextId++;
      const text = await post(
        JSON.stringify({ jsonrpc: '2.0', id, method: 'Arith.Multiply', params: { A: c, B: i } }),
      );
      const res = JSON.parse(text) as { id?: unknown; result?: unknown; error?: unknown };
      if (res.error !== undefined) throw new Error(JSON.stringify(res.error));
      if (res.id !== id) throw new Error(`reply for id ${String(res.id)}, want ${id}`);
      check(res.result, c * i);
    },
  };
}

function echoPair(ctx: BenchContext): Scenario {
  let server: ServerProcess | undefined;
  return nodeScenario(ctx, 'node-http', 'bare node:http client → node:http JSON echo server', async () => {
    server = await spawnTsServer('echo-server.ts');
    const { once, agent } = httpJsonRpc(server.port);
    return {
      once,
      serverPids: [server.pid],
      close: async () => {
        agent.destroy();
        await server?.stop();
      },
    };
  });
}

/**
 * goScenario runs the Go load client (its own process) against `addr()` and measures the server's
 * CPU; its label is the client's (`--go-conns` shared connections) `→ to`.
 */
function goScenario(
  ctx: BenchContext,
  id: string,
  to: string,
  setup: () => Promise<{ addr: string; serverPid: number; stop(): Promise<void> }>,
): Scenario {
  let target: { addr: string; serverPid: number; stop(): Promise<void> } | undefined;
  const k = ctx.opts.goConns;
  return {
    id,
    label: `Go net/rpc/jsonrpc client (${k} shared conn${k > 1 ? 's' : ''}) → ${to}`,
    setup: async () => {
      if (!ctx.go) throw new Error(`skipped: ${ctx.goSkipped}`);
      target = await setup();
    },
    run: async (callers) => {
      const t = target!;
      let serverCpu: CpuMeter | undefined;
      // The Go client warms up for warmupMs first; measure the server's CPU from then on.
      const timer = setTimeout(() => {
        serverCpu = new CpuMeter([t.serverPid]);
      }, ctx.opts.warmupMs);
      try {
        const f = await measuredWindow(
          `${id}@${callers}`,
          () => goLoad(ctx.go!, t.addr, callers, ctx.opts.goConns, ctx.opts.seconds, ctx.opts.warmupMs),
          ctx.opts.warmupMs,
        );
        return { ...f, ...(serverCpu ? { serverCpuPct: serverCpu.stop() } : {}) };
      } finally {
        clearTimeout(timer);
      }
    },
    teardown: async () => {
      await target?.stop();
    },
  };
}

function goPair(ctx: BenchContext): Scenario {
  return goScenario(ctx, 'go-pair', 'Go net/rpc server', async () => {
    const server = await startGoServer(ctx.go!);
    return { addr: `127.0.0.1:${server.port}`, serverPid: server.pid, stop: () => server.stop() };
  });
}

function goToNode(ctx: BenchContext): Scenario {
  const node = ctx.main.nodes[0]!;
  return goScenario(ctx, 'go-to-node', '1 arith-node, TCP', async () => ({
    addr: `127.0.0.1:${node.tcpPort}`,
    serverPid: node.pid,
    stop: async () => {},
  }));
}

/**
 * goThroughRelay: the same Go client → a bare Go TCP relay (no parsing) → the same one node as
 * go-to-node: the latency and throughput any extra hop costs on this machine, the floor the
 * gateway is read against. Server CPU = the relay alone.
 */
function goThroughRelay(ctx: BenchContext): Scenario {
  const node = ctx.main.nodes[0]!;
  return goScenario(ctx, 'go-relay', 'bare Go TCP relay → 1 arith-node', async () => {
    const relay = await startGoRelay(ctx.go!, `127.0.0.1:${node.tcpPort}`);
    return { addr: `127.0.0.1:${relay.port}`, serverPid: relay.pid, stop: () => relay.stop() };
  });
}

/** goThroughGateway: the same Go client → `arith gateway` (TCP) → the 3 nodes; server CPU = the gateway. */
function goThroughGateway(ctx: BenchContext, gateway: ReturnType<typeof sharedGateway>): Scenario {
  return goScenario(ctx, 'go-gateway', 'arith gateway (TCP) → 3 nodes', async () => {
    const gw = await gateway.acquire();
    return { addr: `127.0.0.1:${gw.tcpPort}`, serverPid: gw.pid, stop: () => gateway.release() };
  });
}

/** httpThroughGateway: a bare node:http client, one call per POST, → `arith gateway` → the 3 nodes. */
function httpThroughGateway(ctx: BenchContext, gateway: ReturnType<typeof sharedGateway>): Scenario {
  let gw: GatewayProcess | undefined;
  return nodeScenario(
    ctx,
    'http-gateway',
    'bare node:http client, 1 call/POST → arith gateway → 3 nodes',
    async () => {
      gw = await gateway.acquire();
      const { once, agent } = httpJsonRpc(gw.port);
      return {
        once,
        serverPids: [gw.pid],
        close: async () => {
          agent.destroy();
          await gateway.release();
        },
      };
    },
  );
}

/** cpuPerCall is the client's and servers' CPU time per call, in µs (undefined when not measured). */
export function cpuPerCall(r: Summary): number | undefined {
  if (r.clientCpuPct === undefined || r.serverCpuPct === undefined || !(r.callsPerSec > 0)) return undefined;
  return round(((r.clientCpuPct + r.serverCpuPct) / 100 / r.callsPerSec) * 1e6, 1);
}

/**
 * runThroughput measures every scenario at every concurrency, `runs` times, interleaved (run 1 of
 * everything, then run 2, ...) so that drift hits every scenario alike; reports the medians.
 */
export async function runThroughput(ctx: BenchContext): Promise<SectionOutput<ThroughputRow[]>> {
  const gateway = sharedGateway(ctx);
  const all = [
    sdk(ctx, true),
    sdk(ctx, false),
    sdk(ctx, true, 'http'),
    sdkTls(ctx, nodeScenario),
    jaysonPair(ctx),
    moleculer(ctx, nodeScenario),
    echoPair(ctx),
    goPair(ctx),
    goToNode(ctx),
    goThroughRelay(ctx),
    goThroughGateway(ctx, gateway),
    httpThroughGateway(ctx, gateway),
  ];
  const wanted = ctx.opts.scenarios;
  const scenarios = all.filter((s) => wanted.length === 0 || wanted.some((w) => s.id.includes(w)));
  const skipped = new Map<string, string>();
  for (const s of scenarios) {
    try {
      await s.setup();
    } catch (error) {
      skipped.set(s.id, errorText(error));
      ctx.progress(`throughput: ${s.id}: ${errorText(error)}`);
    }
  }
  const live = scenarios.filter((s) => !skipped.has(s.id));
  for (const s of live) await s.warm?.().catch(() => undefined);
  const figures = new Map<string, LoadFigures[]>();
  const failures = new Map<string, string[]>();
  const key = (id: string, callers: number): string => `${id}@${callers}`;
  for (let run = 1; run <= ctx.opts.runs; run++) {
    for (const callers of ctx.opts.callers) {
      for (const s of live) {
        const k = key(s.id, callers);
        try {
          const f = await s.run(callers);
          figures.set(k, [...(figures.get(k) ?? []), f]);
          ctx.progress(
            `throughput run ${run}/${ctx.opts.runs}: ${k}: ${f.callsPerSec} calls/s, p50 ${f.p50Ms} ms, ` +
              `cpu client ${f.clientCpuPct ?? '–'}% server ${f.serverCpuPct ?? '–'}%, ${f.errors} errors`,
          );
        } catch (error) {
          failures.set(k, [...(failures.get(k) ?? []), errorText(error)]);
          ctx.progress(`throughput run ${run}/${ctx.opts.runs}: ${k}: failed: ${errorText(error)}`);
        }
      }
    }
  }
  for (const s of live) {
    try {
      await s.teardown();
    } catch (error) {
      ctx.progress(`throughput: teardown ${s.id}: ${errorText(error)}`);
    }
  }
  ctx.main.loadedRss = ctx.main.nodes.map((n) => rssOf(n.pid));

  const rows: ThroughputRow[] = [];
  for (const callers of ctx.opts.callers) {
    for (const s of scenarios) {
      const skip = skipped.get(s.id);
      const k = key(s.id, callers);
      rows.push({
        id: s.id,
        scenario: s.label,
        callers,
        ...summarise(figures.get(k) ?? [], failures.get(k)),
        ...(skip ? { skipped: skip } : {}),
      });
    }
  }
  const table: Table = {
    title: `1. Throughput and latency: Arith.Multiply, closed loop, ${ctx.opts.seconds} s per run, median of ${ctx.opts.runs}`,
    columns: [
      'scenario',
      'id',
      'callers',
      'calls/s',
      'p50 ms',
      'p99 ms',
      'client CPU %',
      'server CPU %',
      'CPU µs/call',
      'calls/req',
      'errors',
      'note',
    ],
    rows: rows.map((r) => {
      const missing = r.runs === 0;
      return [
        r.scenario,
        r.id,
        r.callers,
        missing ? undefined : r.callsPerSec,
        missing ? undefined : r.p50Ms,
        missing ? undefined : r.p99Ms,
        r.clientCpuPct,
        r.serverCpuPct,
        cpuPerCall(r),
        r.callsPerRequest,
        missing ? undefined : r.errors,
        r.skipped ?? r.error ?? (r.firstError ? `first error: ${r.firstError}` : ''),
      ];
    }),
    notes: [
      'Clients: the SDK, jayson and node:http clients run in the bench process; the Go client in its own process.',
      'Servers: 3 arith-node processes; jayson, node:http echo and Go servers each in one process.',
      'CPU %: of one core (the machine has 2), from /proc (Go client: getrusage) during the measured run; server = all server processes.',
      'CPU µs/call: (client + server CPU) / calls: what one call costs the machine, whatever the scheduling.',
      'calls/req: calls per request (HTTP request or TCP line) the nodes served (their /metrics), i.e. the mean auto-batch size.',
      ...tlsRatioNotes(rows),
    ],
  };
  const gatewayRows = gatewayTable(rows);
  return { tables: gatewayRows ? [table, gatewayRows] : [table], data: rows };
}
