/** A bulk job's running figures: counts, rate, the issues met, and the progress and summary built from them. */
import type { Answer } from '../client/errors.js';
import type { JobCounts, JobStatus } from './job-record.js';
import type { ResultRecord } from './result-record.js';

/**
 * BulkIssue is one op that did not end stored or skipped, or met dissent: `failed` (transport,
 * invalid params, etcd refused it), `disagreement` (quorum/all not reached: nothing stored),
 * `conflict` (a stored record disagrees; nothing overwritten), `dissent` (stored, but some node
 * answered otherwise; `dissent` lists them).
 */
export interface BulkIssue {
  kind: 'failed' | 'disagreement' | 'conflict' | 'dissent';
  key?: string | undefined;
  method: string;
  error?: Error;
  dissent?: Answer[];
  stored?: ResultRecord;
  computed?: ResultRecord;
}

/** BulkProgress is a snapshot of a running job (`final` on the last one). */
export interface BulkProgress extends JobCounts {
  jobId: string;
  /** expected: the number of ops when known up front (an array), else undefined. */
  expected: number | undefined;
  /** disagreements: ops where nodes disagreed (quorum missed, or dissent beside a stored answer). */
  disagreements: number;
  ratePerSec: number;
  elapsedMs: number;
  final: boolean;
}

/** BulkSummary is what `cluster.map` resolves with. */
export interface BulkSummary {
  jobId: string;
  status: JobStatus;
  total: number;
  stored: number;
  skipped: number;
  failed: number;
  conflicts: number;
  disagreements: number;
  seconds: number;
  /** ratePerSec: ops done (stored, skipped, failed or conflicting) per second. */
  ratePerSec: number;
  /** issues: the first 100 issues (all of them go to `onIssue`). */
  issues: BulkIssue[];
}

const MAX_ISSUES = 100;

/** BulkTally counts a job's outcomes; done = stored + skipped + failed + conflicts. */
export class BulkTally {
  #total = 0;
  #stored = 0;
  #skipped = 0;
  #failed = 0;
  #conflicts = 0;
  #disagreements = 0;
  readonly #issues: BulkIssue[] = [];
  readonly #started = performance.now();

  constructor(
    readonly jobId: string,
    readonly expected: number | undefined,
    readonly onIssue: ((issue: BulkIssue) => void) | undefined,
  ) {}

  read(n: number): void {
    this.#total += n;
  }
  skip(n: number): void {
    this.#skipped += n;
  }
  store(n: number): void {
    this.#stored += n;
  }

  /** fail counts an op that ends failed, in disagreement (also failed) or in conflict. */
  fail(issue: BulkIssue): void {
    if (issue.kind === 'conflict') this.#conflicts++;
    else this.#failed++;
    this.issue(issue);
  }

  /** issue records an issue; disagreements and dissent count as disagreements. */
  issue(issue: BulkIssue): void {
    if (issue.kind === 'disagreement' || issue.kind === 'dissent') this.#disagreements++;
    if (this.#issues.length < MAX_ISSUES) this.#issues.push(issue);
    this.onIssue?.(issue);
  }

  /** clean: nothing failed and nothing conflicts. */
  clean(): boolean {
    return this.#failed === 0 && this.#conflicts === 0;
  }

  counts(): JobCounts {
    const done = this.#stored + this.#skipped + this.#failed + this.#conflicts;
    return {
      total: this.#total,
      done,
      stored: this.#stored,
      skipped: this.#skipped,
      failed: this.#failed,
      conflicts: this.#conflicts,
    };
  }

  progress(final: boolean): BulkProgress {
    const counts = this.counts();
    const elapsedMs = performance.now() - this.#started;
    return {
      jobId: this.jobId,
      expected: this.expected,
      ...counts,
      disagreements: this.#disagreements,
      ratePerSec: elapsedMs > 0 ? Math.round((counts.done * 1000) / elapsedMs) : 0,
      elapsedMs: Math.round(elapsedMs),
      final,
    };
  }

  summary(status: JobStatus): BulkSummary {
    const p = this.progress(true);
    return {
      jobId: this.jobId,
      status,
      total: p.total,
      stored: p.stored,
      skipped: p.skipped,
      failed: p.failed,
      conflicts: p.conflicts,
      disagreements: p.disagreements,
      seconds: Math.round(p.elapsedMs) / 1000,
      ratePerSec: p.ratePerSec,
      issues: [...this.#issues],
    };
  }
}
