import { readdirSync, readFileSync } from 'node:fs';

/** cpuTicks reads utime + stime (clock ticks, 1/100 s on Linux) of a pid from /proc; NaN if unreadable. */
export function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return Number.NaN;
  }
}

/** CpuMeter measures the CPU used by a set of processes between `new` and `stop()`, in % of one core. */
export class CpuMeter {
  readonly #pids: number[];
  readonly #before: number[];
  readonly #t0 = performance.now();

  constructor(pids: number[]) {
    this.#pids = pids;
    this.#before = pids.map(cpuTicks);
  }

  /** stop returns the CPU used since construction by all the pids together, in % of one core. */
  stop(): number {
    const seconds = (performance.now() - this.#t0) / 1000;
    const ticks = this.#pids.reduce((a, pid, i) => a + cpuTicks(pid) - (this.#before[i] ?? 0), 0);
    return Math.round((ticks / 100 / seconds) * 100);
  }
}

/** childPidsNamed lists the pids of this process's direct children whose command name is `name`. */
export function childPidsNamed(name: string): number[] {
  const pids: number[] = [];
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (comm === name && ppid === process.pid) pids.push(Number(entry));
      } catch {
        // the process exited meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return pids;
}
