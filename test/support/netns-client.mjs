// The SDK client of the multi-host tests, run inside the client's network namespace (the test
// runner cannot reach the namespaces). Env: CLIENT_ETCD (comma separated), CLIENT_NAMESPACE,
// CLIENT_NODES (nodes to wait for), CLIENT_MODE:
// - `load`: CLIENT_CONCURRENCY callers of `cluster.callWithNode` until a `stop` line on stdin;
//   every 100 ms one line { type: 'tick', t, ok, failed, byNode, nodes, etcd } (counts since the last
//   tick), then { type: 'summary', ok, failed, errors } (the first 5 distinct error messages).
// - `map`: one `cluster.map` of CLIENT_N multiplications, a { type: 'progress' } line per progress
//   event, then { type: 'summary', ...BulkSummary, keys, notOnce } where keys counts the result keys
//   stored and notOnce those whose etcd version is not 1 (written more than once).
import { createInterface } from 'node:readline';
import { Range } from 'etcd3';
import { connect } from '../../dist/index.js';

const env = process.env;
const print = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const cluster = await connect({
  etcd: (env.CLIENT_ETCD ?? '').split(','),
  namespace: env.CLIENT_NAMESPACE,
  deadlineMs: Number(env.CLIENT_DEADLINE_MS ?? 10_000),
});
await cluster.ready({ nodes: Number(env.CLIENT_NODES ?? 1), timeoutMs: 15_000 });
const nodeIds = () => cluster.nodes().map((n) => n.id);
print({ type: 'ready', t: Date.now(), nodes: nodeIds() });

if (env.CLIENT_MODE === 'map') {
  const n = Number(env.CLIENT_N ?? 10_000);
  function* ops() {
    for (let i = 0; i < n; i++) yield { method: 'Arith.Multiply', params: { A: i, B: i + 3 } };
  }
  const summary = await cluster.map(ops(), {
    concurrency: 8,
    progressIntervalMs: 100,
    onProgress: (p) => print({ type: 'progress', t: Date.now(), stored: p.stored, failed: p.failed }),
  });
  let keys = 0;
  let notOnce = 0;
  const all = Range.prefix(`/${env.CLIENT_NAMESPACE}/results/`);
  for (let start = all.start; ; ) {
    const page = await cluster.etcd.getAll().inRange(new Range(start, all.end)).limit(2000).exec();
    keys += page.kvs.length;
    notOnce += page.kvs.filter((kv) => kv.version !== '1').length;
    if (!page.more || page.kvs.length === 0) break;
    start = Buffer.concat([page.kvs.at(-1).key, Buffer.from([0])]);
  }
  print({ type: 'summary', ...summary, issues: summary.issues.length, keys, notOnce });
} else {
  let ok = 0;
  let failed = 0;
  let totalOk = 0;
  let totalFailed = 0;
  let byNode = {};
  const errors = new Set();
  let running = true;
  const caller = async (k) => {
    for (let i = 0; running; i++) {
      try {
        const { nodeId } = await cluster.callWithNode('Arith.Multiply', { A: k, B: i });
        ok++;
        byNode[nodeId] = (byNode[nodeId] ?? 0) + 1;
      } catch (error) {
        failed++;
        if (errors.size < 5) errors.add(`${error.name}: ${error.message}`);
      }
    }
  };
  const callers = Array.from({ length: Number(env.CLIENT_CONCURRENCY ?? 16) }, (_, k) => caller(k));
  const timer = setInterval(() => {
    print({
      type: 'tick',
      t: Date.now(),
      ok,
      failed,
      byNode,
      nodes: nodeIds(),
      etcd: cluster.stats().etcdConnected,
    });
    totalOk += ok;
    totalFailed += failed;
    ok = 0;
    failed = 0;
    byNode = {};
  }, 100);
  await new Promise((resolve) => {
    createInterface({ input: process.stdin }).on('line', (l) => l.trim() === 'stop' && resolve());
    process.stdin.on('end', resolve);
  });
  running = false;
  await Promise.all(callers);
  clearInterval(timer);
  print({ type: 'summary', ok: totalOk + ok, failed: totalFailed + failed, errors: [...errors] });
}
await cluster.close();
process.exit(0);
