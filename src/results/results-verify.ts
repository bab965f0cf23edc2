/**
 * Verifying stored results: read every record under a prefix (or of one job) back from etcd and
 * check its answer against a local exact computation with the pure Arith methods.
 */
import type { Etcd3 } from 'etcd3';
import { encodeResult } from '../arith/encode.js';
import { ArithError } from '../arith/errors.js';
import { DEFAULT_ARITH_LIMITS } from '../arith/limits.js';
import { ARITH_METHODS } from '../arith/methods.js';
import { answersEqual } from '../protocol/answer.js';
import { after, prefixEnd, type RangePage, RangeReader } from './range-pages.js';
import { parseResultRecord, type ResultAnswer, type ResultRecord } from './result-record.js';

/** VerifyTarget: every result under a key prefix (`''` for all), or those stored by one job. */
export interface VerifyTarget {
  prefix?: string | undefined;
  jobId?: string | undefined;
}

/** VerifyMismatch is a stored record whose answer differs from the local computation. */
export interface VerifyMismatch {
  key: string;
  stored: ResultRecord;
  expected: ResultAnswer;
}

/** VerifyReport: how many records were checked, which disagree, which could not be read or checked. */
export interface VerifyReport {
  checked: number;
  mismatches: VerifyMismatch[];
  /** unreadable: keys whose value is not a valid result record. */
  unreadable: string[];
  /** unverifiable: records of methods this client cannot compute locally (not Arith methods). */
  unverifiable: number;
  seconds: number;
}

/** VerifyOptions: page size, cancellation and a progress callback (called once per page). */
export interface VerifyOptions {
  signal?: AbortSignal | undefined;
  pageSize?: number | undefined;
  onProgress?: ((p: { scanned: number; checked: number; mismatches: number }) => void) | undefined;
}

/**
 * expectedAnswer computes a record's answer locally, exactly as a node would in JSON mode: a result,
 * or the Arith error (`{ code, message }`) a node would answer. Undefined for methods not known here.
 */
export function expectedAnswer(method: string, params: unknown): ResultAnswer | undefined {
  const fn = ARITH_METHODS.get(method);
  if (!fn) return undefined;
  try {
    return { result: encodeResult(fn(params, DEFAULT_ARITH_LIMITS), 'json') };
  } catch (error) {
    if (error instanceof ArithError) return { error: { code: error.code, message: error.message } };
    throw error;
  }
}

/**
 * verifyResults pages through `base + target.prefix` (linearizable reads of up to `pageSize` keys,
 * default 1,000, the next page read while this one is checked) and checks every readable record
 * (of `target.jobId` when given) locally.
 */
export async function verifyResults(
  etcd: Etcd3,
  base: string,
  target: VerifyTarget,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const started = performance.now();
  const report: VerifyReport = { checked: 0, mismatches: [], unreadable: [], unverifiable: 0, seconds: 0 };
  const start = base + (target.prefix ?? '');
  const end = prefixEnd(start);
  const pageSize = options.pageSize ?? 1_000;
  const reader = new RangeReader(etcd);
  let next: Promise<RangePage> | undefined = reader.page(Buffer.from(start), end, pageSize);
  let scanned = 0;
  while (next) {
    const page: RangePage = await next;
    if (options.signal?.aborted) throw options.signal.reason;
    const last = page.kvs.at(-1);
    next = page.more && last ? reader.page(after(last.key), end, pageSize) : undefined;
    next?.catch(() => undefined); // awaited on the next turn; never an unhandled rejection meanwhile
    for (const kv of page.kvs) {
      scanned++;
      check(report, kv.key.toString('utf8').slice(base.length), kv.value.toString('utf8'), target.jobId);
    }
    options.onProgress?.({ scanned, checked: report.checked, mismatches: report.mismatches.length });
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** check verifies one stored value into the report. */
function check(report: VerifyReport, key: string, text: string, jobId: string | undefined): void {
  const record = parseResultRecord(text);
  if (record instanceof Error) {
    report.unreadable.push(key);
    return;
  }
  if (jobId !== undefined && record.job !== jobId) return;
  const expected = expectedAnswer(record.method, record.params);
  if (expected === undefined) {
    report.unverifiable++;
    return;
  }
  report.checked++;
  if (!answersEqual(record, expected)) report.mismatches.push({ key, stored: record, expected });
}
