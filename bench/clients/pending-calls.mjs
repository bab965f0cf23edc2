// Client RSS with N pending calls, in a process of its own running the built SDK (dist/) with plain
// node, so that neither the bench's other state nor tsx's loader (about 30 MB) is counted: connect,
// warm up, measure RSS, start N `call`s at once, measure RSS while all are pending, await them,
// measure again. Prints one JSON line. Plain JavaScript on purpose (no TypeScript loader).
// Usage: node --expose-gc bench/clients/pending-calls.mjs ENDPOINTS NAMESPACE N
import { connect } from '../../dist/index.js';

const [endpoints = '', namespace = 'arith', count = '100000'] = process.argv.slice(2);
const n = Number(count);
const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
const gc = globalThis.gc ?? (() => {});

const cluster = await connect({ etcd: endpoints.split(','), namespace });
await cluster.ready({ timeoutMs: 10_000 });
await Promise.all(Array.from({ length: 2000 }, (_, i) => cluster.call('Arith.Multiply', { A: i, B: 2 })));
gc();
const before = process.memoryUsage();
const started = performance.now();
const calls = Array.from({ length: n }, (_, i) => cluster.call('Arith.Multiply', { A: i, B: 3 }));
const pending = process.memoryUsage();
const stats = cluster.stats();
const settled = await Promise.allSettled(calls);
const seconds = (performance.now() - started) / 1000;
let errors = 0;
let wrong = 0;
settled.forEach((s, i) => {
  if (s.status === 'rejected') errors++;
  else if (s.value !== i * 3) wrong++;
});
calls.length = 0;
gc();
const after = process.memoryUsage();
await cluster.close();
console.log(
  JSON.stringify({
    calls: n,
    baselineRssMb: mb(before.rss),
    pendingRssMb: mb(pending.rss),
    baselineHeapMb: mb(before.heapUsed),
    pendingHeapMb: mb(pending.heapUsed),
    inflightWhenPending: stats.inflight,
    waitingWhenPending: stats.waiting,
    afterRssMb: mb(after.rss),
    bytesPerPendingCall: Math.round((pending.rss - before.rss) / n),
    seconds: Math.round(seconds * 1000) / 1000,
    callsPerSec: Math.round(n / seconds),
    errors,
    wrong,
  }),
);
