/**
 * A tally: what became of one acked chunk, stored under `t/<seq>-<n>` in the same transaction that
 * deletes the chunk and its claim (so each chunk is counted once), and summed into the job record
 * when the job ends.
 */
import type { ErrorText } from './queue-error.js';

/** QueueIssue is one op that did not end stored or already stored. */
export interface QueueIssue {
  kind: 'failed' | 'conflict';
  key?: string | undefined;
  method: string;
  error: ErrorText;
}

/** Tally counts a chunk's (or a job's) ops: stored now, already stored (skipped), failed, conflicting. */
export interface Tally {
  stored: number;
  skipped: number;
  failed: number;
  conflicts: number;
  /** issues: the first few issues (at most MAX_ISSUES per chunk and per job). */
  issues: QueueIssue[];
}

/** MAX_ISSUES: issues kept per chunk tally and per job record. */
export const MAX_ISSUES = 20;

/** emptyTally is a tally of nothing. */
export function emptyTally(): Tally {
  return { stored: 0, skipped: 0, failed: 0, conflicts: 0, issues: [] };
}

/** addTally adds `b` into `a` (issues kept up to MAX_ISSUES) and returns `a`. */
export function addTally(a: Tally, b: Partial<Tally>): Tally {
  a.stored += num(b.stored);
  a.skipped += num(b.skipped);
  a.failed += num(b.failed);
  a.conflicts += num(b.conflicts);
  for (const issue of Array.isArray(b.issues) ? b.issues : []) {
    if (a.issues.length >= MAX_ISSUES) break;
    a.issues.push(issue);
  }
  return a;
}

/** parseTally reads a tally value; an unreadable one counts as nothing. */
export function parseTally(text: string): Partial<Tally> {
  try {
    const raw = JSON.parse(text) as Partial<Tally>;
    return raw && typeof raw === 'object' ? raw : {};
  } catch {
    return {};
  }
}

/** tallyDone is the number of ops a tally accounts for. */
export function tallyDone(t: Tally): number {
  return t.stored + t.skipped + t.failed + t.conflicts;
}

function num(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0;
}
