import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** NODE_BIN is the built `arith-node` entry point that integration tests run as real processes. */
export const NODE_BIN = fileURLToPath(new URL('../../dist/cli/arith-node.js', import.meta.url));

/** NodeProcess is one real `arith-node` process started by a test. */
export interface NodeProcess {
  id: string;
  pid: number;
  /** http: base URL, e.g. `http://127.0.0.1:40123`. */
  http: string;
  tcpPort: number;
  httpPort: number;
  child: ChildProcess;
  /** logs: every stdout/stderr line so far. */
  logs(): string[];
  /** waitFor resolves when a log line matches (a pino `msg`, or a regex on the raw line). */
  waitFor(match: string | RegExp, timeoutMs?: number): Promise<string>;
  /** stop sends a signal (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** StartNodeOptions: what a test needs to vary; everything else is passed as raw `args`. */
export interface StartNodeOptions {
  id?: string;
  etcd?: string[];
  namespace?: string;
  ttl?: number;
  standalone?: boolean;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** waitFor: the log message that means started (default `registered`, or `listening` standalone). */
  waitFor?: string;
}

const started = new Set<NodeProcess>();
let counter = 0;

/** startNode spawns `node dist/cli/arith-node.js` on free ports and waits until it is up. */
export async function startNode(opts: StartNodeOptions = {}): Promise<NodeProcess> {
  if (!existsSync(NODE_BIN)) throw new Error(`${NODE_BIN} is missing: run 'npm run build' first`);
  const id = opts.id ?? `t${process.pid}-${++counter}`;
  const args = [NODE_BIN, '--id', id, '--port', '0', '--tcp-port', '0'];
  if (opts.etcd) args.push('--etcd', opts.etcd.join(','));
  if (opts.namespace) args.push('--namespace', opts.namespace);
  if (opts.ttl) args.push('--ttl', String(opts.ttl));
  if (opts.standalone) args.push('--standalone');
  args.push(...(opts.args ?? []));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ETCD_ENDPOINTS: '', ARITH_NAMESPACE: '', LOG_LEVEL: 'info', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<{ test: (line: string) => boolean; resolve: (line: string) => void }>();
  const onLine = (line: string): void => {
    lines.push(line);
    for (const w of waiters) {
      if (w.test(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let tail = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (tail + chunk).split('\n');
      tail = parts.pop() ?? '';
      for (const p of parts) if (p) onLine(p);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (match: string | RegExp, timeoutMs = 15_000): Promise<string> => {
    const test = (line: string): boolean =>
      typeof match === 'string' ? msgOf(line) === match : match.test(line);
    const already = lines.find(test);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(`node ${id}: no log ${String(match)} within ${timeoutMs} ms. Logs:\n${lines.join('\n')}`),
        );
      }, timeoutMs);
      const waiter = {
        test,
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      waiters.add(waiter);
      void exited.then((code) => {
        if (!waiters.has(waiter)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        reject(new Error(`node ${id} exited (${code}) before ${String(match)}. Logs:\n${lines.join('\n')}`));
      });
    });
  };
  // A node that does not start in time is killed: a failed start must leave no process behind
  // (27 slow nodes of a profiled bench once outlived it, each retrying a stopped etcd).
  const orKill = async <T>(waiting: Promise<T>): Promise<T> => {
    try {
      return await waiting;
    } catch (error) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      throw error;
    }
  };
  const listening = JSON.parse(await orKill(waitFor('listening'))) as { http: number; tcp: number };
  const node: NodeProcess = {
    id,
    pid: child.pid ?? -1,
    http: `http://127.0.0.1:${listening.http}`,
    httpPort: listening.http,
    tcpPort: listening.tcp,
    child,
    logs: () => [...lines],
    waitFor,
    exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      started.delete(node);
      return code;
    },
  };
  started.add(node);
  await orKill(waitFor(opts.waitFor ?? (opts.standalone ? 'listening' : 'registered')));
  return node;
}

/** stopAllNodes kills every node this test file started and is still running (for afterAll). */
export async function stopAllNodes(): Promise<void> {
  await Promise.all([...started].map((n) => n.stop('SIGKILL')));
}

function msgOf(line: string): string | undefined {
  try {
    return (JSON.parse(line) as { msg?: string }).msg;
  } catch {
    return undefined;
  }
}
