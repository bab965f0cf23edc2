import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../../client/cluster.js';
import type { Command, Io } from '../command.js';
import { ms, showValue, table, uptime } from '../format.js';
import { findOrStartEtcd, type LocalEtcd } from '../local-etcd.js';
import { watchdog } from '../watchdog.js';

const NODE_BIN = fileURLToPath(new URL('../arith-node.js', import.meta.url));

interface Spawned {
  id: string;
  child: ChildProcess;
  exited: Promise<void>;
}

function startNode(id: string, etcd: string[], namespace: string, port: number, logDir: string): Spawned {
  const log = openSync(join(logDir, `${id}.log`), 'a');
  const child = spawn(
    process.execPath,
    [
      NODE_BIN,
      '--id',
      id,
      '--etcd',
      etcd.join(','),
      '--namespace',
      namespace,
      '--port',
      String(port),
      '--tcp-port',
      String(port ? port + 1 : 0),
    ],
    // Own process group: a terminal Ctrl-C reaches `arith up` alone, which then stops each node once
    // (a second signal would make a node exit before revoking its lease). The watchdog stops the node
    // if `arith up` itself dies.
    {
      stdio: ['ignore', log, log],
      detached: true,
      env: { ...process.env, ETCD_ENDPOINTS: '', ARITH_NAMESPACE: '' },
    },
  );
  const guard = child.pid ? watchdog(`kill -TERM ${child.pid} 2>/dev/null`) : undefined;
  child.once('exit', () => guard?.cancel());
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { id, child, exited };
}

/** `arith up`: a local cluster (etcd + N nodes) that shows itself working, until Ctrl-C. */
export const upCommand: Command = {
  name: 'up',
  summary: 'run a local cluster: etcd (found, started or installed) and N nodes, then show it working',
  usage: 'arith up [--nodes N] [--base-port P]',
  needsEtcd: false,
  specs: [
    { flag: 'nodes', type: 'int', min: 1, max: 64, default: 3, help: 'how many nodes to start' },
    {
      flag: 'base-port',
      type: 'int',
      min: 0,
      max: 65000,
      default: 7070,
      help: 'node i gets HTTP P+2i, TCP P+2i+1 (0: any free ports)',
    },
    { flag: 'namespace', env: 'ARITH_NAMESPACE', type: 'string', default: 'arith', help: 'key namespace' },
    {
      flag: 'etcd',
      env: 'ETCD_ENDPOINTS',
      type: 'list',
      help: 'use this etcd instead of finding or starting one',
    },
    {
      flag: 'no-wait',
      type: 'boolean',
      help: 'stop everything after the demo instead of waiting for Ctrl-C',
    },
  ],
  async run(values, _positionals, io, signal) {
    const namespace = values.namespace as string;
    const logDir = mkdtempSync(join(tmpdir(), 'arith-up-logs-'));
    let etcd: LocalEtcd | undefined;
    const nodes: Spawned[] = [];
    try {
      etcd = await findOrStartEtcd(values.etcd as string[] | undefined, io.err);
      io.out(`etcd:  ${etcd.how}`);
      const n = values.nodes as number;
      const base = values['base-port'] as number;
      for (let i = 0; i < n; i++)
        nodes.push(startNode(`node-${i + 1}`, etcd.endpoints, namespace, base ? base + 2 * i : 0, logDir));
      io.out(`nodes: starting ${n} (logs in ${logDir})`);
      await demo(etcd.endpoints, namespace, n, io, signal);
      io.out(`\nThe cluster is running. In another terminal:
  ETCD_ENDPOINTS=${etcd.endpoints.join(',')} npx arith nodes --watch
  ETCD_ENDPOINTS=${etcd.endpoints.join(',')} npx arith call Arith.Multiply 7 8 --all${base ? `\n  curl -s 127.0.0.1:${base} -d '{"jsonrpc":"2.0","id":1,"method":"Arith.Multiply","params":{"A":7,"B":8}}'` : ''}
Ctrl-C stops everything.`);
      if (!values['no-wait'])
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      return 0;
    } finally {
      io.out('stopping nodes and etcd ...');
      for (const node of nodes) if (node.child.exitCode === null) node.child.kill('SIGTERM');
      await Promise.all(nodes.map((node) => node.exited));
      await etcd?.stop();
      io.out('stopped.');
    }
  },
};

async function demo(
  endpoints: string[],
  namespace: string,
  n: number,
  io: Io,
  signal: AbortSignal,
): Promise<void> {
  const cluster = await connect({ etcd: endpoints, namespace, signal });
  try {
    await cluster.ready({ nodes: n, signal, timeoutMs: 30_000 });
    const nodes = cluster.nodes();
    io.out(`\ndiscovered ${nodes.length} live nodes in etcd (/${namespace}/nodes/):`);
    io.out(
      table(
        ['ID', 'HTTP', 'TCP', 'UPTIME'],
        nodes.map((x) => [x.id, x.endpoints.http, x.endpoints.tcp, uptime(x.startedAt)]),
      ),
    );
    const receipts = await cluster.all('Arith.Multiply', { A: 7, B: 8 }, { signal });
    io.out('\nfan-out: Arith.Multiply 7 × 8 on every node at once:');
    io.out(
      table(
        ['NODE', 'ANSWER', 'TIME'],
        receipts.map((r) => [r.nodeId, r.ok ? showValue(r.result) : r.error.message, ms(r.ms)]),
      ),
    );
    const big = await cluster.multiply(9007199254740993n, 3n, { signal });
    io.out(`\nexact big integers: 9007199254740993 × 3 = ${big}`);
    const verify = n >= 2 ? 'quorum' : 'one';
    const stored = await cluster.results.compute(
      'demo/multiply-7-8',
      'Arith.Multiply',
      { A: 7, B: 8 },
      { verify, signal },
    );
    const r = stored.record;
    io.out(
      `\nstored in etcd exactly once at /${namespace}/results/${r.key}: ${showValue(r.result)} (verified by ${r.verify}: ${r.nodes.join(', ')}; ${stored.stored ? 'new' : 'already there, agrees'})`,
    );
    const check = await cluster.results.verify({
      prefix: 'demo/',
    });
    io.out(
      `verified against a local exact computation: ${check.checked} checked, ${check.mismatches.length} mismatches`,
    );
  } finally {
    await cluster.close();
  }
}
