/**
 * prometheus: Debian's real `prometheus` scraping a cluster with the committed
 * deploy/prometheus/prometheus.yml (intervals shortened to 1 s): it discovers the nodes through the
 * gateway's /sd, `up{job="arith"}` counts them, a node killed with kill -9 leaves its targets, and
 * every PromQL expression of deploy/grafana/arith.json returns data after a short load.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClusterFixture, nextChange } from '../support/cluster-fixture.js';
import { type GatewayHandle, openGateway, post } from '../support/gateway.js';
import { type NodeProcess, startNode } from '../support/process.js';
import {
  dashboardExprs,
  deployedConfig,
  hasPrometheus,
  type PrometheusProcess,
  startPrometheus,
} from '../support/prometheus.js';

const fx = new ClusterFixture(inject('etcdEndpoints'));
afterAll(() => fx.close());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** waitFor polls `probe` until it returns a value other than undefined (bounded). */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(250);
  }
}

if (!hasPrometheus && !process.env.CI) {
  console.log('[prometheus] skipped: no `prometheus` binary on PATH (apt-get install prometheus)');
}

describe.skipIf(!hasPrometheus && !process.env.CI)(
  'Prometheus with the deployed config and dashboard',
  () => {
    let nodes: NodeProcess[];
    let gw: GatewayHandle;
    let prom: PrometheusProcess;
    let loading = true;
    let load: Promise<void>;

    beforeAll(async () => {
      const ns = fx.namespace('prom');
      nodes = await Promise.all(
        ['a', 'b', 'c'].map((x) => startNode({ id: `prom-${x}`, etcd: fx.endpoints, namespace: ns, ttl: 2 })),
      );
      gw = await openGateway(fx, ns, 3);
      prom = await startPrometheus(deployedConfig(`127.0.0.1:${gw.httpPort}`, '1s'));
      fx.cleanups.push(() => prom.stop());
      // Load through the gateway until the test ends: batches (batch size), divide by zero (errors)
      // and one malformed element per batch (refusals).
      const batch = JSON.stringify([
        ...Array.from({ length: 20 }, (_, i) => ({
          jsonrpc: '2.0',
          id: i,
          method: 'Arith.Multiply',
          params: [i, 3],
        })),
        { jsonrpc: '2.0', id: 'z', method: 'Arith.Divide', params: { A: 1, B: 0 } },
        42,
      ]);
      load = (async () => {
        while (loading) await Promise.all(Array.from({ length: 4 }, () => post(gw.http, batch)));
      })();
      fx.cleanups.push(async () => {
        loading = false;
        await load;
      });
    }, 120_000);

    it('discovers the nodes through /sd and counts them in up{job="arith"}', async () => {
      const up = await waitFor('3 arith targets up', async () => {
        const r = await prom.query('up{job="arith"} == 1');
        return r.length === 3 ? r : undefined;
      });
      console.log(
        `[prometheus] up before the kill: ${up.map((s) => `${s.metric.node_id}=${s.value[1]}`).join(' ')}`,
      );
      expect(up.map((s) => s.metric.node_id).sort()).toEqual(['prom-a', 'prom-b', 'prom-c']);
      expect(new Set(up.map((s) => s.metric.namespace))).toEqual(new Set([fx.namespaces[0]]));
    });

    it('drops a node killed with kill -9 from its targets once /sd no longer lists it', async () => {
      const removed = nextChange(gw.cluster, 'removed', 'prom-c', 15_000);
      await nodes[2]!.stop('SIGKILL');
      const goneFromSd = await removed;
      const up = await waitFor('2 arith targets', async () => {
        const r = await prom.query('up{job="arith"}');
        return r.length === 2 ? r : undefined;
      });
      console.log(
        `[prometheus] up after the kill: ${up.map((s) => `${s.metric.node_id}=${s.value[1]}`).join(' ')} ` +
          `(${Date.now() - goneFromSd} ms after /sd dropped prom-c; refresh_interval 1 s)`,
      );
      expect(up.map((s) => s.metric.node_id).sort()).toEqual(['prom-a', 'prom-b']);
    });

    it('returns data for every PromQL expression of the Grafana dashboard', async () => {
      const exprs = dashboardExprs();
      expect(exprs.length).toBeGreaterThanOrEqual(12);
      for (const raw of exprs) {
        const expr = raw.replaceAll('$__rate_interval', '10s').replaceAll('$namespace', '.+');
        const result = await waitFor(`data for ${expr}`, async () => {
          const r = await prom.query(expr);
          return r.length > 0 ? r : undefined;
        });
        const sample = result[0]!;
        console.log(`[prometheus] ${result.length} series, e.g. ${sample.value[1]}: ${expr}`);
        expect(result.length).toBeGreaterThan(0);
      }
    });
  },
);
