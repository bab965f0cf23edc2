import type { DiscoveryData } from '../sections/discovery.js';
import type { FanoutRow } from '../sections/fanout.js';
import type { MemoryData } from '../sections/memory.js';
import type { ResultsData } from '../sections/results-store.js';
import type { ThroughputRow } from '../sections/throughput.js';
import type { Target } from './report.js';
import { ratio } from './stats.js';
import { judge, pair, storageRatio, throughputRows } from './target-rules.js';
import { roundTwoTargets } from './targets-round-two.js';

/** SectionData holds whatever sections ran. */
export interface SectionData {
  throughput?: ThroughputRow[];
  fanout?: FanoutRow[];
  discovery?: DiscoveryData;
  results?: ResultsData;
  memory?: MemoryData;
}

/** computeTargets checks the targets against this run's figures (ratios within one run). */
export function computeTargets(d: SectionData): Target[] {
  const { at, lo: minCallers, hi: callers } = throughputRows(d.throughput);
  const sdkHi = at('sdk-batch-on', callers);
  const goHi = at('go-pair', callers);
  const jayHi = at('jayson', callers);
  const sdk1 = at('sdk-batch-on', minCallers);
  const http1 = at('node-http', minCallers);
  const out: Target[] = [];
  const r1 = ratio(sdkHi?.callsPerSec, goHi?.callsPerSec);
  out.push(
    judge(
      `SDK calls/s at ${callers} callers ≥ 2× Go net/rpc/jsonrpc pair`,
      r1,
      (x) => x >= 2,
      `${r1}×`,
      pair(sdkHi?.callsPerSec, goHi?.callsPerSec, 'calls/s'),
    ),
  );
  const r2 = ratio(sdkHi?.callsPerSec, jayHi?.callsPerSec);
  out.push(
    judge(
      `SDK calls/s at ${callers} callers ≥ 10× unbatched jayson client`,
      r2,
      (x) => x >= 10,
      `${r2}×`,
      pair(sdkHi?.callsPerSec, jayHi?.callsPerSec, 'calls/s'),
    ),
  );
  const r3 = ratio(sdk1?.p50Ms, http1?.p50Ms);
  out.push(
    judge(
      `SDK p50 at ${minCallers} caller ≤ 1.3× bare node:http round trip`,
      r3,
      (x) => x <= 1.3,
      `${r3}×`,
      `${pair(sdk1?.p50Ms, http1?.p50Ms, 'ms')}; batching off ${ratio(at('sdk-batch-off', minCallers)?.p50Ms, http1?.p50Ms)}×; over HTTP ${ratio(at('sdk-http', minCallers)?.p50Ms, http1?.p50Ms)}×`,
    ),
  );
  const one = d.fanout?.find((r) => r.id === 'one-call' && r.runs > 0);
  const all = d.fanout?.find((r) => r.id === 'all' && r.runs > 0);
  const r4 = ratio(all?.p50Ms, one?.p50Ms);
  out.push(
    judge(
      'fan-out over 3 nodes (p50) ≤ 1.2× one call',
      r4,
      (x) => x <= 1.2,
      `${r4}×`,
      pair(all?.p50Ms, one?.p50Ms, 'ms'),
    ),
  );
  const bm = d.results?.batchedMedian;
  const r5 = storageRatio(d.results);
  out.push(
    judge(
      'batched result storage ≥ 0.8× raw per-key put-if-absent loop, same batch (64)',
      r5,
      (x) => x >= 0.8,
      `${r5}×`,
      d.results?.skipped ??
        (bm
          ? `${bm.mapPerSec} / ${bm.rawNestedPerSec} results/s (vs the all-or-nothing loop: ${ratio(bm.mapPerSec, bm.rawFlatPerSec)}×)`
          : 'not measured'),
    ),
  );
  // Judged on the larger of the two readings: V8 gives back what loading took at a time of its own.
  const idle = d.memory ? Math.max(...d.memory.nodeStartRssMb, ...d.memory.nodeIdleRssMb) : Number.NaN;
  out.push(
    judge(
      'node RSS idle ≤ 80 MB',
      idle,
      (x) => x <= 80,
      `${idle} MB`,
      d.memory
        ? `largest of 3 registered nodes, just started (${Math.max(...d.memory.nodeStartRssMb)}) or 15 s at rest (${Math.max(...d.memory.nodeIdleRssMb)})`
        : 'not measured',
    ),
  );
  const failed = d.discovery
    ? d.discovery.median.termFailedCalls + d.discovery.median.killFailedCalls
    : Number.NaN;
  out.push(
    judge(
      'failed calls during SIGTERM and kill -9 = 0',
      failed,
      (x) => x === 0,
      String(failed),
      'summed over the discovery runs',
    ),
  );
  const viaHi = at('go-gateway', callers);
  const nodeHi = at('go-to-node', callers);
  const r6 = ratio(viaHi?.callsPerSec, nodeHi?.callsPerSec);
  out.push(
    judge(
      `Go client through the gateway (3 nodes) at ${callers} callers ≥ 1.0× straight to 1 node`,
      r6,
      (x) => x >= 1,
      `${r6}×`,
      pair(viaHi?.callsPerSec, nodeHi?.callsPerSec, 'calls/s'),
    ),
  );
  const via1 = at('go-gateway', minCallers);
  const node1 = at('go-to-node', minCallers);
  const added = via1 && node1 ? Math.round((via1.p50Ms - node1.p50Ms) * 1000) / 1000 : Number.NaN;
  out.push(
    judge(
      `gateway p50 added at ${minCallers} caller < 0.1 ms`,
      added,
      (x) => x < 0.1,
      `${added} ms`,
      pair(via1?.p50Ms, node1?.p50Ms, 'ms'),
    ),
  );
  out.push(...roundTwoTargets(d));
  return out;
}
