import { accessSync, constants, createReadStream, existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { parseExact } from '../../protocol/exact-json.js';
import type { BulkOp } from '../../results/bulk-job.js';
import { errorText } from '../../results/queue/queue-error.js';
import { toSafeWire } from '../args.js';
import { type Command, openCluster } from '../command.js';
import { checkedJobId } from '../ids.js';
import { UsageError } from '../options.js';
import { ProgressView } from '../progress.js';

/** generate yields N deterministic Multiply ops (`i × (i+1)`), so a rerun resumes the same job. */
export function* generate(n: number): Generator<BulkOp> {
  for (let i = 0; i < n; i++) yield { method: 'Arith.Multiply', params: { A: i, B: i + 1 } };
}

/**
 * checkOpsSource requires exactly one of a .jsonl file and `--generate N`, and the file to exist
 * and be readable as a file (not a directory).
 */
export function checkOpsSource(file: string | undefined, n: number | undefined): void {
  if ((file === undefined) === (n === undefined))
    throw new UsageError('give a .jsonl file or --generate N (not both)');
  if (file === undefined) return;
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  if (statSync(file).isDirectory()) throw new UsageError(`${file} is a directory, not a .jsonl file`);
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * checkJsonl reads a regular file's lines once before a job is created, so that a bad line is
 * refused before anything is queued (a pipe or device cannot be read twice: its lines are checked
 * as they stream); throws UsageError naming the line.
 */
export async function checkJsonl(path: string): Promise<void> {
  if (!statSync(path).isFile()) return;
  for await (const _ of readJsonl(path));
}

/** readJsonl streams `{ "method", "params", "key"? }` lines; a bad line stops the job with its number. */
export async function* readJsonl(path: string): AsyncGenerator<BulkOp> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let op: unknown;
    try {
      op = parseExact(line);
    } catch {
      throw new UsageError(`${path}:${n}: not JSON`);
    }
    const o = op as Partial<BulkOp> | null;
    if (!o || typeof o !== 'object' || typeof o.method !== 'string' || o.params === undefined) {
      throw new UsageError(`${path}:${n}: expected {"method": "...", "params": ..., "key"?: "..."}`);
    }
    if (o.key !== undefined && typeof o.key !== 'string')
      throw new UsageError(`${path}:${n}: key must be a string`);
    yield { method: o.method, params: toSafeWire(o.params, `${path}:${n}: params`), key: o.key };
  }
}

/** `arith bulk`: a resumable bulk job with a progress bar; results stored exactly once. */
export const bulkCommand: Command = {
  name: 'bulk',
  summary: 'run many calls as a resumable job and store every result exactly once',
  usage: 'arith bulk <file.jsonl | --generate N> [--concurrency C] [--verify one|quorum|all] [--job ID]',
  needsEtcd: true,
  specs: [
    {
      flag: 'generate',
      type: 'int',
      min: 1,
      max: 100_000_000,
      help: 'generate N Multiply ops instead of reading a file',
    },
    { flag: 'concurrency', type: 'int', min: 1, max: 1024, default: 16, help: 'groups of 64 ops in flight' },
    {
      flag: 'verify',
      type: 'string',
      choices: ['one', 'quorum', 'all'],
      default: 'one',
      help: 'how each answer is checked before it is stored',
    },
    { flag: 'job', type: 'string', help: 'job id (default: from the file name or N; rerun to resume)' },
  ],
  async run(values, positionals, io, signal) {
    const file = positionals[0];
    const n = values.generate as number | undefined;
    checkOpsSource(file, n);
    const jobId =
      (values.job === undefined ? undefined : checkedJobId(values.job as string)) ??
      (file ? `file-${basename(file).replace(/[^A-Za-z0-9._-]/g, '_')}` : `generate-${n}`);
    if (file) await checkJsonl(file); // a bad line stops nothing half-way: no op has run yet
    const ops = file ? readJsonl(file) : [...generate(n!)];
    const cluster = await openCluster(values, signal);
    const view = new ProgressView((t) => process.stderr.write(t), io.tty && !values.json);
    try {
      const summary = await cluster.map(ops, {
        jobId,
        concurrency: values.concurrency as number,
        verify: values.verify as 'one' | 'quorum' | 'all',
        signal,
        onProgress: values.json ? undefined : (p) => view.update(p),
      });
      view.done();
      if (values.json)
        io.out(
          JSON.stringify({
            ...summary,
            issues: summary.issues.map((i) => ({ ...i, error: i.error && errorText(i.error) })),
          }),
        );
      else {
        io.out(
          `job ${summary.jobId}: ${summary.status}. ${summary.total} ops in ${summary.seconds.toFixed(1)} s (${Math.round(summary.ratePerSec)}/s): ` +
            `${summary.stored} stored, ${summary.skipped} already stored (skipped), ${summary.failed} failed, ${summary.conflicts} conflicts, ${summary.disagreements} disagreements`,
        );
        for (const issue of summary.issues.slice(0, 5))
          io.err(`  ${issue.kind} ${issue.key ?? ''}: ${issue.error?.message ?? ''}`);
        if (summary.status === 'cancelled') io.err('stopped; run the same command again to resume');
      }
      if (summary.status === 'cancelled') return 130;
      return summary.failed + summary.conflicts === 0 && summary.status === 'done' ? 0 : 1;
    } finally {
      view.done();
      await cluster.close();
    }
  },
};
