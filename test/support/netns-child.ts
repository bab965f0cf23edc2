import type { ChildProcess } from 'node:child_process';

/** WatchedChild is a child process whose output lines are kept and can be waited for. */
export interface WatchedChild {
  child: ChildProcess;
  /** lines: every stdout/stderr line so far. */
  lines(): string[];
  /** waitFor resolves with the first line (past or future) that matches; rejects on timeout or exit. */
  waitFor(match: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  /** send writes one line to the child's stdin. */
  send(line: string): void;
  /** stop signals the child (default SIGTERM) and resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** watchLines keeps `child`'s output lines (named `label` in errors) and lets callers wait for one. */
export function watchLines(child: ChildProcess, label: string): WatchedChild {
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  for (const stream of [child.stdout, child.stderr]) {
    let tail = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (tail + chunk).split('\n');
      tail = parts.pop() ?? '';
      for (const line of parts) {
        if (!line) continue;
        lines.push(line);
        for (const w of waiters) w(line);
      }
    });
  }
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const tailOf = (): string => lines.slice(-40).join('\n');
  return {
    child,
    lines: () => [...lines],
    exited,
    send: (line) => {
      child.stdin?.write(`${line}\n`);
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    waitFor: (match, timeoutMs = 15_000) => {
      const test = typeof match === 'function' ? match : (l: string) => match.test(l);
      const found = lines.find(test);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const done = (error?: Error, line?: string): void => {
          clearTimeout(timer);
          waiters.delete(onLine);
          if (error) reject(error);
          else resolve(line as string);
        };
        const onLine = (line: string): void => {
          if (test(line)) done(undefined, line);
        };
        const timer = setTimeout(
          () => done(new Error(`${label}: no line ${String(match)} within ${timeoutMs} ms:\n${tailOf()}`)),
          timeoutMs,
        );
        waiters.add(onLine);
        void exited.then((code) => {
          if (waiters.has(onLine)) done(new Error(`${label} exited (${code}) first:\n${tailOf()}`));
        });
      });
    },
  };
}
