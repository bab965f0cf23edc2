import { basename } from 'node:path';
import type { QueueJob } from '../../results/queue/job-handle.js';
import type { JobSnapshot } from '../../results/queue/job-status.js';
import { QueueError } from '../../results/queue/queue-error.js';
import type { Io } from '../command.js';
import { type Command, openCluster } from '../command.js';
import { checkedJobId } from '../ids.js';
import { UsageError } from '../options.js';
import { ProgressView } from '../progress.js';
import { checkJsonl, checkOpsSource, generate, readJsonl } from './bulk.js';

/** QUOTA_SPEC: the results etcd's backend quota, which etcd cannot be asked for. */
export const QUOTA_SPEC = {
  flag: 'etcd-quota',
  env: 'ARITH_ETCD_QUOTA_BYTES',
  type: 'int',
  min: 1024 * 1024,
  max: 2 ** 53 - 1,
  help: "the results etcd's --quota-backend-bytes (default 2 GiB): submissions are refused above 80% of it",
} as const;

/** followJob shows a job's progress (bar with rate and ETA) until it ends; resolves with the exit code. */
export async function followJob(job: QueueJob, io: Io, json: boolean, signal: AbortSignal): Promise<number> {
  const view = new ProgressView((t) => process.stderr.write(t), io.tty && !json);
  const started = performance.now();
  let first: JobSnapshot | undefined;
  job.on('progress', (s) => {
    first ??= s;
    const elapsedMs = performance.now() - started;
    const rate = elapsedMs > 0 ? ((s.done - first.done) * 1000) / elapsedMs : 0;
    view.update({
      jobId: s.jobId,
      expected: s.total,
      total: s.total,
      done: s.done,
      stored: s.stored,
      skipped: s.skipped,
      failed: s.failed,
      conflicts: s.conflicts,
      disagreements: 0,
      ratePerSec: rate,
      elapsedMs,
      final: false,
    });
  });
  const onAbort = (): void => void job.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const final = await job.done();
    view.done();
    printSnapshot(final, io, json);
    return final.status === 'done' ? 0 : 1;
  } finally {
    signal.removeEventListener('abort', onAbort);
    view.done();
  }
}

/** printSnapshot writes one job's state: JSON, or a line and its first issues. */
export function printSnapshot(s: JobSnapshot, io: Io, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(s));
    return;
  }
  io.out(
    `job ${s.jobId}: ${s.status}. ${s.done}/${s.total}${s.status === 'submitting' ? '+' : ''} done: ` +
      `${s.stored} stored, ${s.skipped} already stored, ` +
      `${s.failed} failed, ${s.conflicts} conflicts; ${s.inProgress} in progress, ${s.queued} queued` +
      (s.unknown ? `, ${s.unknown} unknown` : ''),
  );
  if (s.error) io.err(`  ${s.error.code}: ${s.error.message}`);
  for (const issue of s.issues.slice(0, 5))
    io.err(`  ${issue.kind} ${issue.key ?? ''}: ${issue.error.message}`);
}

/** `arith submit`: queue a job for the nodes to work; prints its id once every op is durable. */
export const submitCommand: Command = {
  name: 'submit',
  summary: 'queue many calls as a durable job the nodes work; prints the job id (--wait: follow it)',
  usage: 'arith submit <file.jsonl | --generate N> [--job ID] [--verify one|quorum] [--wait]',
  needsEtcd: true,
  specs: [
    { flag: 'generate', type: 'int', min: 1, max: 100_000_000, help: 'generate N Multiply ops' },
    { flag: 'job', type: 'string', help: 'job id (default: random)' },
    {
      flag: 'verify',
      type: 'string',
      choices: ['one', 'quorum'],
      default: 'one',
      help: 'how answers are checked',
    },
    { flag: 'wait', type: 'boolean', help: 'follow the job with a progress bar until it ends' },
    QUOTA_SPEC,
  ],
  async run(values, positionals, io, signal) {
    const file = positionals[0];
    const n = values.generate as number | undefined;
    checkOpsSource(file, n);
    if (file !== undefined && positionals.length > 1)
      throw new UsageError(`unexpected argument: ${positionals[1]}`);
    const jobId = values.job === undefined ? undefined : checkedJobId(values.job as string);
    if (file) await checkJsonl(file);
    const cluster = await openCluster(values, signal);
    try {
      const job = await cluster
        .submit(file ? readJsonl(file) : generate(n!), {
          jobId,
          verify: values.verify as 'one' | 'quorum',
          signal,
        })
        .catch((error: unknown) => {
          // A bad line met while streaming ended the job: still bad input, and the message says so.
          if (error instanceof QueueError && error.cause instanceof UsageError)
            throw new UsageError(error.message);
          // A job id in use: the message says what that job is and what to do (exit 2).
          if (error instanceof QueueError && error.code === 'JOB_EXISTS') throw new UsageError(error.message);
          throw error;
        });
      if (values.json && !values.wait) io.out(JSON.stringify({ jobId: job.jobId }));
      else if (!values.json) io.out(job.jobId);
      if (!values.wait) return 0;
      if (!values.json)
        io.err(`job ${job.jobId} submitted${file ? ` from ${basename(file)}` : ''}; following it`);
      return await followJob(job, io, Boolean(values.json), signal);
    } finally {
      await cluster.close();
    }
  },
};
