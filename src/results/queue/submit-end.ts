/**
 * endSubmission: what a submission does when it stops part way, after its job record was written
 * (the ops iterable threw, the signal aborted, etcd refused a chunk): it ends the job (`cancelled`
 * when aborted, else `failed`, the reason in the record's `error`), its queued chunks deleted as
 * `cancel()` does (results already stored stay), so that the job never stays `running` unsubmitted
 * and `done()` returns; then it throws a QueueError saying so.
 */
import { endJob } from './finalize.js';
import { errorText, isNoSpace, QueueError } from './queue-error.js';
import type { QueueHost } from './queue-host.js';
import type { QueueJobRecord } from './queue-job-record.js';

/** SubmittedSoFar: the submitter's counts when it stopped. */
export type SubmittedSoFar = Pick<QueueJobRecord, 'counts' | 'rejected' | 'issues' | 'chunks' | 'runs'> & {
  /** queued: ops in chunks whose transactions etcd confirmed. */
  queued: number;
};

/**
 * endSubmission ends job `jobId` after `error` stopped its submission and throws QueueError
 * `SUBMIT_FAILED` (`NOSPACE` when etcd is out of space) naming the job, its end, the ops queued
 * before it stopped and the reason; `cause` is `error`.
 */
export async function endSubmission(
  host: QueueHost,
  jobId: string,
  error: unknown,
  aborted: boolean,
  sofar: SubmittedSoFar,
): Promise<never> {
  const reason = errorText(error);
  const status = aborted ? 'cancelled' : 'failed';
  const counts = { ...sofar.counts, total: sofar.queued + sofar.rejected };
  let ended: string;
  let endedHere = false; // this submitter ended the job: the same submit starts it over
  try {
    const final = await endJob(host, jobId, status, reason, { ...sofar, counts });
    endedHere = final === status;
    ended = endedHere
      ? `was ended (${status})`
      : final === 'running'
        ? 'was started over by another submit'
        : `had ended already (${final})`;
  } catch (endError) {
    ended = `could not be ended (${errorText(endError).message}); cancel it with \`arith jobs cancel ${jobId}\``;
  }
  const queued = sofar.queued === 1 ? '1 op had' : `${sofar.queued} ops had`;
  const again = endedHere ? '; the same submit starts it over' : '';
  const message = `${reason.message}; job ${jobId} ${ended}: ${queued} been queued (results stored stay)${again}`;
  throw new QueueError(isNoSpace(error) ? 'NOSPACE' : 'SUBMIT_FAILED', message, { cause: error });
}
