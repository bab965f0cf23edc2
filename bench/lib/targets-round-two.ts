/**
 * The targets of performance round two (issue 16), judged on this run's figures: one caller
 * against Go, 256 callers against Go and moleculer, CPU per call, Go's client on our node, idle
 * node RSS, client bytes per pending call, fan-out over 30 nodes, and what must not regress.
 */
import { cpuPerCall } from '../sections/throughput.js';
import type { Target } from './report.js';
import { ratio } from './stats.js';
import { judge, pair, storageRatio, throughputRows } from './target-rules.js';
import type { SectionData } from './targets.js';

/** roundTwoTargets lists issue 16's targets, each judged n/a when not measured. */
export function roundTwoTargets(d: SectionData): Target[] {
  const { at, lo, hi } = throughputRows(d.throughput);
  const calls = (id: string, n: number): number | undefined => at(id, n)?.callsPerSec;
  const out: Target[] = [];
  const vs = (target: string, a: string, b: string, n: number, min: number): void => {
    const r = ratio(calls(a, n), calls(b, n));
    out.push(judge(target, r, (x) => x >= min, `${r}×`, pair(calls(a, n), calls(b, n), 'calls/s')));
  };
  const sdk1 = at('sdk-batch-on', lo);
  const go1 = at('go-pair', lo);
  const r1 = ratio(sdk1?.callsPerSec, go1?.callsPerSec);
  const p50Ok = sdk1 !== undefined && go1 !== undefined && sdk1.p50Ms <= go1.p50Ms;
  out.push(
    judge(
      `[16] SDK calls/s at ${lo} caller ≥ 1.0× Go pair, p50 no worse`,
      r1,
      (x) => x >= 1 && p50Ok,
      `${r1}×`,
      `${pair(sdk1?.callsPerSec, go1?.callsPerSec, 'calls/s')}; p50 ${pair(sdk1?.p50Ms, go1?.p50Ms, 'ms')}`,
    ),
  );
  vs(`[16] SDK calls/s at ${hi} callers ≥ 4× Go pair`, 'sdk-batch-on', 'go-pair', hi, 4);
  vs(`[16] SDK calls/s at ${hi} callers ≥ 5× moleculer`, 'sdk-batch-on', 'moleculer', hi, 5);
  vs('[16] SDK calls/s at 64 callers ≥ 3× moleculer', 'sdk-batch-on', 'moleculer', 64, 3);
  const hiRow = at('sdk-batch-on', hi);
  const cpu = hiRow ? (cpuPerCall(hiRow) ?? Number.NaN) : Number.NaN;
  out.push(
    judge(
      `[16] CPU per call (client + nodes) at ${hi} callers ≤ 5 µs`,
      cpu,
      (x) => x <= 5,
      `${cpu} µs`,
      'SDK, auto-batching on',
    ),
  );
  for (const n of [64, hi])
    vs(`[16] Go client → 1 arith-node at ${n} callers ≥ 1.0× Go's server`, 'go-to-node', 'go-pair', n, 1);
  const m = d.memory;
  const idle = m ? Math.max(...m.nodeStartRssMb, ...m.nodeIdleRssMb) : Number.NaN;
  out.push(
    judge('[16] node RSS idle ≤ 60 MB', idle, (x) => x <= 60, `${idle} MB`, 'largest reading, as above'),
  );
  const bytes = m?.client?.bytesPerPendingCall ?? Number.NaN;
  out.push(
    judge(
      '[16] client RSS per pending call ≤ 400 bytes',
      bytes,
      (x) => x <= 400,
      `${bytes} B`,
      m?.client ? `${m.client.calls} calls pending` : 'not measured',
    ),
  );
  const p50 = (id: string): number | undefined => d.fanout?.find((r) => r.id === id && r.runs > 0)?.p50Ms;
  const fan = (id: string, max: number, label: string): void => {
    const r = ratio(p50(id), p50('one-call'));
    out.push(judge(label, r, (x) => x <= max, `${r}×`, pair(p50(id), p50('one-call'), 'ms')));
  };
  fan('all-30', 1.3, '[16] fan-out over 30 nodes (p50) ≤ 1.3× one call');
  fan('all', 1.1, '[16] fan-out over 3 nodes (p50) ≤ 1.1× one call');
  const bm = d.results?.batchedMedian;
  const r5 = storageRatio(d.results);
  out.push(
    judge(
      '[16] batched result storage ≥ 0.9× raw per-key loop',
      r5,
      (x) => x >= 0.9,
      `${r5}×`,
      pair(bm?.mapPerSec, bm?.rawNestedPerSec, 'results/s'),
    ),
  );
  return out;
}
