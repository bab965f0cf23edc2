import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { VERSION } from '../../src/version.js';
import { goVersion } from './go.js';

/** Machine describes where and with what a bench run ran. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  go: string;
  etcd: string;
  etcdMode: string;
  arithCluster: string;
  gitCommit: string;
  date: string;
  /** loadAvg: the 1-minute load average when the bench started. */
  loadAvg: number;
  /** busyBeforePct: system-wide CPU busy during 1 s before the bench started anything (other work). */
  busyBeforePct: number;
}

/** cpuBusyPct samples /proc/stat over `ms` and returns how busy all CPUs were (%), NaN off Linux. */
export async function cpuBusyPct(ms: number): Promise<number> {
  const read = (): number[] | undefined => {
    try {
      const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
      return line.trim().split(/\s+/).slice(1).map(Number);
    } catch {
      return undefined;
    }
  };
  const a = read();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = read();
  if (!a || !b) return Number.NaN;
  const d = b.map((x, i) => x - (a[i] ?? 0));
  const total = d.reduce((x, y) => x + y, 0);
  const idle = (d[3] ?? 0) + (d[4] ?? 0);
  return total > 0 ? Math.round((1 - idle / total) * 1000) / 10 : Number.NaN;
}

function sh(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** etcdVersion asks the etcd server itself (`GET /version`), whatever the mode it runs in. */
async function etcdVersion(endpoint: string | undefined): Promise<string> {
  if (!endpoint) return 'unknown';
  try {
    const url = `${/^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`}/version`;
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    const v = (await res.json()) as { etcdserver?: string };
    return v.etcdserver ?? 'unknown';
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}

/** describeMachine collects the machine, tool versions and git commit for results.json. */
export async function describeMachine(
  etcd: { endpoints: string[]; mode: string },
  before: { loadAvg: number; busyBeforePct: number },
): Promise<Machine> {
  const commit = sh('git', ['rev-parse', '--short=12', 'HEAD']);
  const dirty = sh('git', ['status', '--porcelain', '--untracked-files=no']);
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    go: goVersion() ?? 'absent',
    etcd: await etcdVersion(etcd.endpoints[0]),
    etcdMode: etcd.mode,
    arithCluster: VERSION,
    gitCommit: commit ? `${commit}${dirty ? ' (with uncommitted changes)' : ''}` : 'unknown',
    date: new Date().toISOString(),
    ...before,
  };
}
