import { type Command, openCluster } from '../command.js';
import { table } from '../format.js';
import { checkedJobId } from '../ids.js';
import { UsageError } from '../options.js';
import { followJob, printSnapshot, QUOTA_SPEC } from './submit.js';

/** `arith jobs list|status|watch|cancel`: follow and manage queued jobs by id. */
export const jobsCommand: Command = {
  name: 'jobs',
  summary: 'queued jobs: list, status ID, watch ID (progress bar), cancel ID',
  usage: 'arith jobs list | status ID [--json] | watch ID | cancel ID',
  needsEtcd: true,
  specs: [QUOTA_SPEC],
  async run(values, positionals, io, signal) {
    const [sub, id, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
    if (sub !== 'list' && sub !== 'status' && sub !== 'watch' && sub !== 'cancel')
      throw new UsageError('expected list, status, watch or cancel');
    if (sub !== 'list' && !id) throw new UsageError(`jobs ${sub} needs a job ID`);
    if (sub === 'list' && id) throw new UsageError(`unexpected argument: ${id}`);
    if (id !== undefined) checkedJobId(id, `jobs ${sub} ID`);
    const cluster = await openCluster(values, signal);
    try {
      if (sub === 'list') {
        const jobs = await cluster.jobs.list();
        if (values.json) io.out(JSON.stringify(jobs));
        else if (jobs.length === 0) io.out('no queued jobs');
        else
          io.out(
            table(
              ['JOB', 'STATUS', 'DONE', 'TOTAL', 'FAILED', 'STARTED'],
              jobs.map((j) => [
                j.jobId,
                j.status,
                String(j.done),
                String(j.total),
                String(j.failed + j.conflicts),
                j.startedAt,
              ]),
            ),
          );
        return 0;
      }
      const job = cluster.jobs.get(id!);
      if (sub === 'status') {
        printSnapshot(await job.status(), io, Boolean(values.json));
        return 0;
      }
      if (sub === 'cancel') {
        const status = await job.cancel();
        io.out(status === 'cancelled' ? `job ${id} cancelled` : `job ${id} had ended already: ${status}`);
        return 0;
      }
      return await followJob(job, io, Boolean(values.json), signal);
    } finally {
      await cluster.close();
    }
  },
};
