/**
 * What "the same answer" means, once for every caller that compares answers (quorum calls, verify
 * modes, stored records, local verification): equal results, compared as canonical JSON (member
 * order and integer encoding aside), or application errors with equal code and message.
 */
import { canonicalJson } from './canonical-json.js';

/** ResultError is an application error given as the answer (e.g. `{ code: 1001, message: 'divide by zero' }`). */
export interface ResultError {
  code: number;
  message: string;
}

/** ResultAnswer is an answer: a result or an application error, never both. */
export type ResultAnswer =
  | { result: unknown; error?: undefined }
  | { result?: undefined; error: ResultError };

/** AnswerLike is anything carrying an answer: a ResultAnswer, a stored record, `{ error: remoteError }`. */
export interface AnswerLike {
  result?: unknown;
  error?: { code: number; message: string } | undefined;
}

/**
 * answerId is the identity of an answer: two answers are the same answer exactly when their ids
 * are equal (`e:<code>:<message>` for an error, `r:<canonical JSON>` for a result). Throws
 * TypeError for a result JSON cannot carry (see canonicalJson).
 */
export function answerId(answer: AnswerLike): string {
  const error = answer.error;
  return error !== undefined ? `e:${error.code}:${error.message}` : `r:${canonicalJson(answer.result)}`;
}

/** answersEqual tells whether two answers are the same answer (see answerId). */
export function answersEqual(a: AnswerLike, b: AnswerLike): boolean {
  return answerId(a) === answerId(b);
}
