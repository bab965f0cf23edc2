/**
 * How a submission takes its job id: the job record is put only if absent; a job whose
 * submission stopped part way and was ended (failed, or cancelled before every op was in) is
 * started over under the same id (its queue keys deleted, `runs` counted up; results stored stay
 * and count as skipped), so that running the same submit again finishes the job. Any other
 * existing job refuses the id with a message saying what it is and what to do.
 */
import { prefixEnd } from '../range-pages.js';
import { QueueError } from './queue-error.js';
import type { QueueHost } from './queue-host.js';
import { isFinished, jobKey, parseQueueJobRecord, type QueueJobRecord } from './queue-job-record.js';
import { jobQueuePrefix } from './queue-keys.js';

/** TRIES: how often the id is tried when the existing record changes between the read and the write. */
const TRIES = 5;

/**
 * createJobRecord writes `record` as a new job, or over a job whose submission stopped part way
 * (then `record.runs` is set to that job's runs + 1).
 * @throws QueueError `JOB_EXISTS` naming the existing job's state and what to do.
 */
export async function createJobRecord(host: QueueHost, record: QueueJobRecord): Promise<void> {
  const key = Buffer.from(jobKey(host.namespace, record.jobId));
  const queue = jobQueuePrefix(host.namespace, record.jobId);
  for (let attempt = 0; attempt < TRIES; attempt++) {
    let value = JSON.stringify(record);
    const created = await host.etcd.kv.txn({
      compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key, value: Buffer.from(value) } }],
      failure: [{ request_range: { key } }],
    });
    let kv = created.responses[0]?.response_range?.kvs[0];
    // A try of ours that was applied but not answered (a deadline, a hedge on another member) makes
    // a later try find the key: it is ours when it holds exactly the record we wrote.
    if (created.succeeded || kv?.value.toString() === value) return;
    if (!kv) continue; // deleted meanwhile
    const existing = parseQueueJobRecord(kv.value.toString('utf8'));
    const problem = existsProblem(record.jobId, existing);
    if (problem) throw new QueueError('JOB_EXISTS', problem);
    record.runs = (existing as QueueJobRecord).runs + 1;
    value = JSON.stringify(record);
    const replaced = await host.etcd.kv.txn({
      compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: kv.mod_revision }],
      success: [
        { request_delete_range: { key: Buffer.from(queue), range_end: prefixEnd(queue) } },
        { request_put: { key, value: Buffer.from(value) } },
      ],
      failure: [{ request_range: { key } }],
    });
    kv = replaced.responses[0]?.response_range?.kvs[0];
    if (replaced.succeeded || kv?.value.toString() === value) return;
  }
  throw new QueueError('JOB_EXISTS', `job ${record.jobId}: its record kept changing; try again`);
}

/**
 * existsProblem says why job `jobId`, found as `existing`, cannot be started over, and what to
 * do; undefined when it can (a queue job ended before its submission was complete).
 */
function existsProblem(jobId: string, existing: QueueJobRecord | Error): string | undefined {
  const another = 'pick another --job id (results already stored are skipped)';
  if (existing instanceof Error) return `job ${jobId} exists already and is not a queued job; ${another}`;
  if (!existing.submitted && isFinished(existing)) return undefined;
  if (!existing.submitted) {
    return (
      `job ${jobId} exists and its submission (started ${existing.startedAt}) is not complete: another ` +
      'submit of it is running, or was stopped before it could end the job; if none is running, ' +
      `\`arith jobs cancel ${jobId}\` ends it and the same submit then starts it over`
    );
  }
  return `job ${jobId} exists already (${existing.status}, every op submitted); ${another}`;
}
