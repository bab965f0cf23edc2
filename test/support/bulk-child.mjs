// A bulk job in a child process, for kill -9 tests: `node bulk-child.mjs` with BULK_ETCD (comma
// separated), BULK_NAMESPACE, BULK_JOB and BULK_N in the environment. Prints one JSON line per
// progress event ({ type: 'progress', ... }) and the summary ({ type: 'summary', ... }) at the end.
import { connect } from '../../dist/index.js';

const env = process.env;
const n = Number(env.BULK_N ?? 20000);
const cluster = await connect({ etcd: (env.BULK_ETCD ?? '').split(','), namespace: env.BULK_NAMESPACE });
await cluster.ready({ nodes: Number(env.BULK_NODES ?? 1), timeoutMs: 10_000 });

/** ops: the same n multiplications on every run, so a rerun resumes the same job. */
function* ops() {
  for (let i = 0; i < n; i++) yield { method: 'Arith.Multiply', params: { A: i, B: i + 7 } };
}

const summary = await cluster.map(ops(), {
  jobId: env.BULK_JOB,
  concurrency: Number(env.BULK_CONCURRENCY ?? 8),
  progressIntervalMs: 50,
  onProgress: (p) => console.log(JSON.stringify({ type: 'progress', ...p })),
});
console.log(JSON.stringify({ type: 'summary', ...summary, issues: summary.issues.length }));
await cluster.close();
