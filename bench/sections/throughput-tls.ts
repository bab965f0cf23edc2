/**
 * The TLS row of section 1: the SDK (TCP transport, auto-batching on) against 3 nodes serving
 * mutual TLS (`--tls-cert/--tls-key/--tls-client-ca`, certificates made now with openssl), in
 * the same run as the plain-TCP `sdk-batch-on` row, with their ratio in the table's notes.
 */
import { uniqueNamespace } from '../../test/support/namespace.js';
import type { NodeProcess } from '../../test/support/process.js';
import { makeTestCerts, mtlsNodeArgs, OPENSSL, type TestCerts } from '../../test/support/test-certs.js';
import { type BenchContext, startNodes } from '../lib/context.js';
import { connect } from '../lib/sdk.js';
import { round } from '../lib/stats.js';
import type { Client, Scenario, ThroughputRow } from './throughput.js';

/** TLS_ID and PLAIN_ID are the rows compared. */
export const TLS_ID = 'sdk-tls';
const PLAIN_ID = 'sdk-batch-on';

type MakeScenario = (ctx: BenchContext, id: string, label: string, open: () => Promise<Client>) => Scenario;

/** sdkTls is the scenario: its nodes and certificates are made in setup and removed in teardown. */
export function sdkTls(ctx: BenchContext, nodeScenario: MakeScenario): Scenario {
  let certs: TestCerts | undefined;
  let nodes: NodeProcess[] = [];
  const label = 'SDK over mutual TLS (client certificate), 3 nodes, auto-batching on';
  const scenario = nodeScenario(ctx, TLS_ID, label, async () => {
    if (!OPENSSL) throw new Error('skipped: openssl is not installed');
    certs = makeTestCerts('arith-bench-tls-');
    const namespace = uniqueNamespace('bench-tls');
    const args = mtlsNodeArgs(certs);
    nodes = await startNodes(ctx.etcd, namespace, ctx.main.nodes.length, args, 'tls');
    const c = certs;
    const cluster = await connect({
      etcd: ctx.etcd.endpoints,
      namespace,
      tls: { ca: c.read(c.ca), cert: c.read(c.client.cert), key: c.read(c.client.key) },
      ...(ctx.opts.sdkConns === undefined ? {} : { connectionsPerNode: ctx.opts.sdkConns }),
    });
    await cluster.ready({ nodes: nodes.length, timeoutMs: 10_000 });
    return {
      once: async (a, b) => {
        const got = await cluster.call('Arith.Multiply', { A: a, B: b });
        if (got !== a * b) throw new Error(`wrong result ${JSON.stringify(got)}, want ${a * b}`);
      },
      // No calls/req figure: the nodes' /metrics is behind the same client-certificate check.
      serverPids: nodes.map((n) => n.pid),
      close: async () => {
        await cluster.close();
        await Promise.all(nodes.map((n) => n.stop()));
        certs?.remove();
      },
    };
  });
  return scenario;
}

/** tlsRatioNotes says, per concurrency, the TLS row's calls/s as a share of plain TCP's. */
export function tlsRatioNotes(rows: readonly ThroughputRow[]): string[] {
  const notes: string[] = [];
  for (const tls of rows.filter((r) => r.id === TLS_ID && r.runs > 0)) {
    const plain = rows.find((r) => r.id === PLAIN_ID && r.callers === tls.callers && r.runs > 0);
    if (!plain || !(plain.callsPerSec > 0)) continue;
    const pct = round((tls.callsPerSec / plain.callsPerSec) * 100, 0);
    notes.push(
      `${TLS_ID} / ${PLAIN_ID} at ${tls.callers} callers: ${pct}% of plain-TCP calls/s (target ≥ 70%).`,
    );
  }
  return notes;
}
