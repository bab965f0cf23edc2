/**
 * Profiling support for `npm run bench -- --profile ...`: the profiled child bench gets
 * BENCH_PROF_DIR; node children are profiled through a preload (Node 20 refuses --cpu-prof in
 * NODE_OPTIONS); measured windows and each process's CPU time in them are written next to the
 * profiles, so that summaries count only the samples taken while the load ran.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpuTicks } from './cpu.js';

/** PROF_DIR: where profiles go when profiling, else undefined. */
export const PROF_DIR = process.env.BENCH_PROF_DIR;

const PRELOAD = pathToFileURL(fileURLToPath(new URL('./cpu-prof-preload.mjs', import.meta.url))).href;

/** profiledRoles maps the pid of every process started while profiling to what it is. */
export const profiledRoles = new Map<number, string>();

/** profEnv is the environment that profiles a node child process when profiling (else empty). */
export function profEnv(): NodeJS.ProcessEnv {
  return PROF_DIR ? { NODE_OPTIONS: `--import=${PRELOAD}`, BENCH_PROF_DIR: PROF_DIR } : {};
}

/** Window is one measured interval (µs on the monotonic clock V8 stamps samples with) and CPU use in it. */
export interface Window {
  label: string;
  startUs: number;
  endUs: number;
  /** cpuPct: CPU time per pid during the window, in % of one core. */
  cpuPct: Record<string, number>;
}

const windows: Window[] = [];

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * measuredWindow runs `fn`; when profiling it records the window (starting `skipMs` in, to leave
 * out a warm-up) and every known process's CPU use in it. Not profiling, it just runs `fn`.
 */
export async function measuredWindow<T>(label: string, fn: () => Promise<T>, skipMs = 0): Promise<T> {
  if (!PROF_DIR) return fn();
  const pids = [process.pid, ...profiledRoles.keys()];
  const start = nowUs() + skipMs * 1000;
  let before: number[] = [];
  const sample = setTimeout(() => {
    before = pids.map(cpuTicks);
  }, skipMs);
  if (skipMs === 0) before = pids.map(cpuTicks);
  try {
    return await fn();
  } finally {
    clearTimeout(sample);
    const end = nowUs();
    const after = pids.map(cpuTicks);
    const seconds = (end - start) / 1e6;
    const cpuPct: Record<string, number> = {};
    pids.forEach((pid, i) => {
      // Clock ticks are 1/100 s on Linux.
      cpuPct[pid] = Math.round((((after[i] ?? 0) - (before[i] ?? 0)) / 100 / seconds) * 1000) / 10;
    });
    windows.push({ label, startUs: start, endUs: end, cpuPct });
  }
}

/** nowUs is the monotonic clock V8 stamps profile samples with, in µs. */
export function monotonicUs(): number {
  return nowUs();
}

/** addWindow records a window found after the fact (no CPU figures); no-op unless profiling. */
export function addWindow(label: string, startUs: number, endUs: number): void {
  if (PROF_DIR) windows.push({ label, startUs, endUs, cpuPct: {} });
}

/** writeProfilingNotes writes roles.json and windows.json into PROF_DIR (no-op unless profiling). */
export function writeProfilingNotes(): void {
  if (!PROF_DIR) return;
  const roles = Object.fromEntries([[process.pid, 'client (bench process)'], ...profiledRoles]);
  writeFileSync(path.join(PROF_DIR, 'roles.json'), JSON.stringify(roles));
  writeFileSync(path.join(PROF_DIR, 'windows.json'), JSON.stringify(windows));
}
