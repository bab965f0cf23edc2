/**
 * Result keys and job ids given on the command line, checked before anything connects to etcd:
 * the SDK's own checks, their TypeError turned into a UsageError naming where the value came from.
 */
import { checkJobId } from '../results/job-record.js';
import { checkKey } from '../results/result-key.js';
import { UsageError } from './options.js';

function usage<T>(what: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError(`${what}: ${(error as Error).message}`);
  }
}

/** checkedJobId returns `jobId` if it is a valid job id; else throws UsageError naming `what` (e.g. `--job`). */
export function checkedJobId(jobId: string, what = '--job'): string {
  return usage(what, () => checkJobId(jobId));
}

/** checkedKey returns `key` if it is a valid result key; else throws UsageError naming `what` (e.g. `--store`). */
export function checkedKey(key: string, what: string): string {
  return usage(what, () => checkKey(key));
}
