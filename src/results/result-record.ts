/**
 * The stored result record (schema v1): what was computed, the answer (a result or an application
 * error), which nodes answered, how it was verified and when it was stored. Params and results are
 * in the wire encoding: safe integers as numbers, larger ones as decimal strings.
 */
import { z } from 'zod';
import { answersEqual, type ResultAnswer, type ResultError } from '../protocol/answer.js';
import { canonicalJson } from '../protocol/canonical-json.js';
import { parseJsonWith } from '../util/parse-json.js';
import { keyProblem } from './result-key.js';

export type { ResultAnswer, ResultError } from '../protocol/answer.js';

/** VERIFY_MODES: `one` node answers; a `quorum` (a majority of the live nodes) agrees; `all` agree. */
export const VERIFY_MODES = ['one', 'quorum', 'all'] as const;

/** VerifyMode is how a stored answer was checked before it was stored. */
export type VerifyMode = (typeof VERIFY_MODES)[number];

/** ResultRecord is the JSON value stored under `/<namespace>/results/<key>`. */
export interface ResultRecord {
  v: 1;
  key: string;
  method: string;
  params: unknown;
  result?: unknown;
  error?: ResultError;
  /** nodes: the nodes whose answer was stored (the one node that answered in mode `one`; every agreeing node in `quorum` and `all`). */
  nodes: string[];
  verify: VerifyMode;
  /** job: the bulk job that stored it, if any. */
  job?: string;
  /** storedAt: ISO 8601 time the writer built the record. */
  storedAt: string;
}

/** ResultRecordSchema validates a stored record (v1); unknown extra members are dropped. */
export const ResultRecordSchema = z
  .object({
    v: z.literal(1),
    key: z.string().refine((k) => keyProblem(k) === undefined, 'invalid result key'),
    method: z.string().min(1).max(512),
    params: z.unknown().refine((p) => p !== undefined, 'params are missing'),
    result: z.unknown().optional(),
    error: z.object({ code: z.number().int(), message: z.string().max(10_000) }).optional(),
    nodes: z.array(z.string().max(255)).max(1000),
    verify: z.enum(VERIFY_MODES),
    job: z.string().min(1).max(256).optional(),
    storedAt: z.string().min(1).max(64),
  })
  .refine(
    (r) => (r.result === undefined) !== (r.error === undefined),
    'needs exactly one of result and error',
  );

/**
 * parseResultRecord decodes and validates a stored value. Returns the record, or an Error saying
 * why the value is not one (readers skip such values and log once).
 */
export function parseResultRecord(text: string): ResultRecord | Error {
  return parseJsonWith<ResultRecord>(ResultRecordSchema, text, 'result record');
}

/** LastJson remembers the JSON text of the last string it was given (a record's repeated members). */
class LastJson {
  #value: string | undefined;
  #text = '';

  text(value: string): string {
    if (value !== this.#value) {
      this.#value = value;
      this.#text = JSON.stringify(value);
    }
    return this.#text;
  }
}

// A bulk job's records repeat the method, node, verify mode, job and timestamp of their group.
const METHOD = new LastJson();
const NODE = new LastJson();
const VERIFY = new LastJson();
const JOB = new LastJson();
const STORED_AT = new LastJson();

/** serializeResultRecord writes a record as JSON with a fixed member order (absent members omitted). */
export function serializeResultRecord(r: ResultRecord): string {
  // Built as text: this runs once per stored result, and is measurably cheaper than an object copy.
  const answer =
    r.error === undefined ? `"result":${JSON.stringify(r.result)}` : `"error":${JSON.stringify(r.error)}`;
  const job = r.job === undefined ? '' : `,"job":${JOB.text(r.job)}`;
  const nodes = r.nodes.length === 1 ? `[${NODE.text(r.nodes[0]!)}]` : JSON.stringify(r.nodes);
  return (
    `{"v":1,"key":${JSON.stringify(r.key)},"method":${METHOD.text(r.method)},"params":${JSON.stringify(r.params)},` +
    `${answer},"nodes":${nodes},"verify":${VERIFY.text(r.verify)}${job},"storedAt":${STORED_AT.text(r.storedAt)}}`
  );
}

/** RecordFields are what a writer knows; `makeRecord` adds `v` and `storedAt`. */
export interface RecordFields {
  key: string;
  method: string;
  params: unknown;
  answer: ResultAnswer;
  nodes: string[];
  verify: VerifyMode;
  job?: string | undefined;
}

/** makeRecord builds a v1 record stamped with `storedAt` (default: now). */
export function makeRecord(f: RecordFields, storedAt = new Date().toISOString()): ResultRecord {
  // One literal per shape (no members added later): bulk jobs build one record per stored result.
  const { key, method, params, nodes, verify, job } = f;
  const error = f.answer.error;
  if (error !== undefined) {
    const e = { code: error.code, message: error.message };
    return job === undefined
      ? { v: 1, key, method, params, error: e, nodes, verify, storedAt }
      : { v: 1, key, method, params, error: e, nodes, verify, job, storedAt };
  }
  const result = f.answer.result;
  return job === undefined
    ? { v: 1, key, method, params, result, nodes, verify, storedAt }
    : { v: 1, key, method, params, result, nodes, verify, job, storedAt };
}

/** sameComputation tells whether two computations are the same: the same method with the same params (canonical JSON). */
export function sameComputation(
  a: { method: string; params: unknown },
  b: { method: string; params: unknown },
): boolean {
  return a.method === b.method && canonicalJson(a.params) === canonicalJson(b.params);
}

/** sameAnswer tells whether two records are the same computation (method, params) with the same answer. */
export function sameAnswer(a: ResultRecord, b: ResultRecord): boolean {
  return sameComputation(a, b) && answersEqual(a, b);
}
