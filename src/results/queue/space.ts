/**
 * etcd is finite: checkSpace refuses new work before the backend nears its quota, and names the DB
 * size, the quota and what to do. The quota (`--quota-backend-bytes`) cannot be read from etcd, so
 * it is an option (etcd's default, 2 GiB).
 */
import type { Etcd3 } from 'etcd3';
import { QueueError } from './queue-error.js';

/** DEFAULT_QUOTA_BYTES: etcd's default backend quota. */
export const DEFAULT_QUOTA_BYTES = 2 * 1024 ** 3;

/** SpaceOptions: the quota etcd runs with and the share of it past which work is refused. */
export interface SpaceOptions {
  /** quotaBytes: etcd's `--quota-backend-bytes` (default 2 GiB). */
  quotaBytes?: number | undefined;
  /** threshold: refuse above this share of the quota (default 0.8). */
  threshold?: number | undefined;
}

/** SpaceReport: the DB size etcd reports, the quota assumed, and whether the NOSPACE alarm is raised. */
export interface SpaceReport {
  dbSize: number;
  quotaBytes: number;
  threshold: number;
  noSpaceAlarm: boolean;
}

/** readSpace asks etcd for its DB size and raised alarms. */
export async function readSpace(etcd: Etcd3, options: SpaceOptions = {}): Promise<SpaceReport> {
  const [status, alarms] = await Promise.all([
    etcd.maintenance.status(),
    etcd.maintenance.alarm({ action: 'Get' }),
  ]);
  return {
    dbSize: Number(status.dbSize),
    quotaBytes: options.quotaBytes ?? DEFAULT_QUOTA_BYTES,
    threshold: options.threshold ?? 0.8,
    noSpaceAlarm: alarms.alarms.some(
      (a) => String(a.alarm).toUpperCase() === 'NOSPACE' || Number(a.alarm) === 1,
    ),
  };
}

/**
 * checkSpace resolves when etcd has room for more work.
 * @throws QueueError `NOSPACE` when the alarm is raised, `SPACE_LOW` above the threshold.
 */
export async function checkSpace(etcd: Etcd3, options: SpaceOptions = {}): Promise<SpaceReport> {
  const report = await readSpace(etcd, options);
  const mib = (n: number): string => `${(n / 1024 ** 2).toFixed(1)} MiB`;
  const what =
    'compact and defragment etcd (etcdctl compact, etcdctl defrag), delete old results, ' +
    'raise --quota-backend-bytes (and tell the client with quotaBytes / --etcd-quota), ' +
    'or keep results on their own etcd (resultsEtcd / --results-etcd)';
  if (report.noSpaceAlarm) {
    throw new QueueError(
      'NOSPACE',
      `etcd raised its NOSPACE alarm (DB ${mib(report.dbSize)}, quota ${mib(report.quotaBytes)}): ` +
        `it refuses writes until space is freed and the alarm disarmed (etcdctl alarm disarm); ${what}`,
    );
  }
  if (report.dbSize > report.quotaBytes * report.threshold) {
    throw new QueueError(
      'SPACE_LOW',
      `etcd DB is ${mib(report.dbSize)}, over ${Math.round(report.threshold * 100)}% of its quota ` +
        `${mib(report.quotaBytes)}: refusing new work before etcd runs out of space; ${what}`,
    );
  }
  return report;
}

/**
 * refuseIfFull rejects with checkSpace's QueueError (`NOSPACE`, `SPACE_LOW`) when etcd is at or
 * near its quota, and resolves otherwise, also when the space cannot be read (etcd unreachable, or
 * a role without maintenance permission): a job's own retries deal with an etcd that is away.
 */
export async function refuseIfFull(etcd: Etcd3, options: SpaceOptions = {}): Promise<void> {
  try {
    await checkSpace(etcd, options);
  } catch (error) {
    if (error instanceof QueueError) throw error;
  }
}
