/**
 * Checks of the options of bulk jobs (`cluster.map`) and queued jobs (`cluster.submit`), run before
 * anything is written: a bad value is a TypeError or RangeError naming the option, never a job
 * record that then does nothing (a NaN concurrency once ran no group and reported `done`).
 */
import { checkCallOptions } from '../client/call-options.js';
import { checkInt, checkMs, checkObject, checkOneOf, show } from '../util/check-options.js';
import type { MapOptions } from './bulk-types.js';
import { checkJobId } from './job-record.js';
import { VERIFY_MODES } from './result-record.js';

/** MAX_CONCURRENCY: most groups a bulk job keeps in flight. */
export const MAX_CONCURRENCY = 1024;

/** checkMapOptions validates MapOptions and returns them with millisecond options clamped (see CallOptions). */
export function checkMapOptions(options: MapOptions): MapOptions {
  checkObject('map options', options, false);
  checkInt('concurrency', options.concurrency, 1, MAX_CONCURRENCY);
  checkOneOf('verify', options.verify, VERIFY_MODES);
  checkOneOf('checkExisting', options.checkExisting, ['auto', 'always'] as const);
  if (options.jobId !== undefined) checkJobId(options.jobId);
  for (const name of ['onProgress', 'onStored', 'onIssue'] as const) checkFunction(name, options[name]);
  const { deadlineMs } = checkCallOptions({ deadlineMs: options.deadlineMs, signal: options.signal });
  return {
    ...options,
    deadlineMs,
    progressIntervalMs: checkMs('progressIntervalMs', options.progressIntervalMs),
    jobRecordIntervalMs: checkMs('jobRecordIntervalMs', options.jobRecordIntervalMs),
  };
}

/** checkSubmitOptions validates a queued job's options (verify itself is checked by submit). */
export function checkSubmitOptions(options: {
  jobId?: string | undefined;
  chunkOps?: number | undefined;
  signal?: AbortSignal | undefined;
}): void {
  checkObject('submit options', options, false);
  if (options.jobId !== undefined) checkJobId(options.jobId);
  checkInt('chunkOps', options.chunkOps, 1, 4096);
  checkCallOptions({ signal: options.signal });
}

function checkFunction(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(`${name} must be a function, got ${show(value)}`);
  }
}
