/**
 * Call throughput: the SDK (auto-batching on and off) against 3 local nodes, and a plain jayson
 * HTTP client (one call per request, keep-alive agent) against one node, at the same concurrency.
 * Usage: npx tsx bench/throughput.ts [callers=256] [seconds=5]
 */
import http from 'node:http';
import jayson from 'jayson';
import { connect } from '../src/index.js';
import { type Measured, measure, startCluster } from './harness.js';

const callers = Number(process.argv[2] ?? 256);
const seconds = Number(process.argv[3] ?? 5);
const env = await startCluster(3);
const results: Measured[] = [];
try {
  for (const batching of [true, false]) {
    const cluster = await connect({ etcd: env.etcd.endpoints, namespace: env.namespace, batching });
    await cluster.ready({ nodes: 3 });
    const name = `sdk, 3 nodes, batching ${batching ? 'on' : 'off'}`;
    results.push(
      await measure(name, callers, seconds, async (c, i) => {
        const r = await cluster.call('Arith.Multiply', { A: c, B: i });
        if (r !== c * i) throw new Error(`wrong result ${r}`);
      }),
    );
    await cluster.close();
  }
  const node = env.nodes[0]!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: callers });
  const client = jayson.client.http({ host: '127.0.0.1', port: node.httpPort, agent });
  results.push(
    await measure('jayson http client, 1 node, 1 call/request', callers, seconds, async (c, i) => {
      const res = await new Promise<{ result?: unknown }>((resolve, reject) =>
        client.request('Arith.Multiply', { A: c, B: i }, (err: unknown, response: unknown) =>
          err ? reject(err) : resolve(response as { result?: unknown }),
        ),
      );
      if (res.result !== c * i) throw new Error(`wrong result ${JSON.stringify(res)}`);
    }),
  );
  agent.destroy();
} finally {
  await env.stop();
}
console.table(results);
const sdk = results[0]!.callsPerSec;
const jay = results[2]!.callsPerSec;
console.log(`SDK (batching) / jayson: ${(sdk / jay).toFixed(1)}x at ${callers} callers`);
