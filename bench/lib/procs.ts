import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { profEnv, profiledRoles } from './profiling.js';

/** BENCH_DIR is the absolute path of `bench/`. */
export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

/** ServerProcess is a helper server the bench started in its own process. */
export interface ServerProcess {
  name: string;
  pid: number;
  port: number;
  child: ChildProcess;
  /** stop sends SIGTERM (or `signal`) and resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const children = new Set<ChildProcess>();

/** killAll kills (SIGKILL, by pid) every helper process still running; for exit paths. */
export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
}

/**
 * spawnServer runs `command args` and resolves once it prints a JSON line with a `port` member
 * on stdout (`{"port":1234}`); rejects if it exits or stays silent for `timeoutMs`.
 */
export function spawnServer(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 20_000,
): Promise<ServerProcess> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => children.delete(child));
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`${name}: no port within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}${stderr ? `; stderr: ${stderr.trim()}` : ''}`));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(new Error(`${name} exited (${code ?? signal}) before listening`));
    child.once('error', fail);
    child.once('exit', onExit);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', function onData(chunk: string) {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', fail);
      try {
        const { port } = JSON.parse(out.slice(0, nl)) as { port: number };
        resolve({
          name,
          pid: child.pid ?? -1,
          port,
          child,
          stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            await exited;
          },
        });
      } catch {
        fail(new Error(`${name}: first line is not {"port":N}: ${out.slice(0, nl)}`));
      }
    });
  });
}

/** spawnTsServer runs a TypeScript server in `bench/servers/` with `node --import tsx`. */
export async function spawnTsServer(file: string, args: string[] = []): Promise<ServerProcess> {
  const env = { ...process.env, ...profEnv() };
  const script = `${BENCH_DIR}servers/${file}`;
  const server = await spawnServer(file, process.execPath, ['--import', 'tsx', script, ...args], env);
  profiledRoles.set(server.pid, file);
  return server;
}

/** Rss is a process's resident set size now and at its peak, in MB (NaN where /proc is missing). */
export interface Rss {
  rssMb: number;
  peakMb: number;
}

/** rssOf reads VmRSS and VmHWM from /proc/<pid>/status. */
export function rssOf(pid: number): Rss {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) : Number.NaN;
    };
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: Number.NaN, peakMb: Number.NaN };
  }
}
