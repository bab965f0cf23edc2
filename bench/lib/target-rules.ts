/**
 * What both target tables (the first round's and issue 16's) judge with: a verdict per target,
 * the "a / b unit" text of a ratio, the throughput rows of one run by scenario and callers, and
 * the batched result storage ratio.
 */
import type { ResultsData } from '../sections/results-store.js';
import type { ThroughputRow } from '../sections/throughput.js';
import type { Target } from './report.js';
import { ratio } from './stats.js';

/** judge renders one target: n/a when `value` was not measured, else whether `holds(value)`. */
export function judge(
  target: string,
  value: number,
  holds: (x: number) => boolean,
  show: string,
  why: string,
): Target {
  if (!Number.isFinite(value)) return { target, measured: '–', holds: 'n/a', why };
  return { target, measured: show, holds: holds(value) ? 'yes' : 'no', why };
}

/** pair is `a / b unit`, or `not measured` when either is missing. */
export function pair(a: number | undefined, b: number | undefined, unit: string): string {
  return a === undefined || b === undefined ? 'not measured' : `${a} / ${b} ${unit}`;
}

/** ThroughputRows finds a run's throughput rows; `lo` and `hi` are its fewest and most callers. */
export interface ThroughputRows {
  at(id: string, callers: number): ThroughputRow | undefined;
  lo: number;
  hi: number;
}

/** throughputRows indexes `rows` (a section that did not run gives no rows, callers 1 and 256). */
export function throughputRows(rows: readonly ThroughputRow[] = []): ThroughputRows {
  return {
    at: (id, callers) => rows.find((r) => r.id === id && r.callers === callers && r.runs > 0),
    lo: rows.length > 0 ? Math.min(...rows.map((r) => r.callers)) : 1,
    hi: rows.length > 0 ? Math.max(...rows.map((r) => r.callers)) : 256,
  };
}

/** storageRatio is batched result storage (cluster.map) over the raw per-key put-if-absent loop. */
export function storageRatio(results: ResultsData | undefined): number {
  const bm = results?.batchedMedian;
  return ratio(bm?.mapPerSec, bm?.rawNestedPerSec);
}
