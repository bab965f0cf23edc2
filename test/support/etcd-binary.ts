import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Watchdog, watchdog } from '../../src/cli/watchdog.js';
import {
  type EtcdMember,
  etcdArgs,
  findOnPath,
  type MemberSpec,
  STARTUP_TIMEOUT_MS,
  waitHealthy,
} from './etcd-common.js';

/** STOP_GRACE_MS is how long stop() waits after SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 5_000;
/** LOG_TAIL_CHARS is how much of a member's output is kept for error messages. */
const LOG_TAIL_CHARS = 8_000;

/** findEtcdBinary returns $ETCD_BIN, or the first executable `etcd` on PATH, or undefined. */
export function findEtcdBinary(): string | undefined {
  return process.env.ETCD_BIN ? findOnPath(process.env.ETCD_BIN) : findOnPath('etcd');
}

/** BinaryMember runs one etcd member as a child process with its own temp data dir. */
class BinaryMember implements EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  private child: ChildProcess | undefined;
  private guard: Watchdog | undefined;
  private exited: Error | undefined;
  private logTail = '';

  constructor(
    private readonly bin: string,
    private readonly spec: MemberSpec,
    private readonly dataDir: string,
  ) {
    this.name = spec.name;
    this.clientUrl = spec.clientUrl;
  }

  /** launch spawns etcd without waiting for it to become healthy. */
  launch(): void {
    if (this.child) return;
    this.exited = undefined;
    const child = spawn(this.bin, etcdArgs(this.spec, join(this.dataDir, 'data')), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.logTail = (this.logTail + chunk.toString()).slice(-LOG_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const gone = (err: Error) => {
      if (this.child !== child) return;
      this.guard?.cancel();
      this.exited = err;
      this.child = undefined;
    };
    child.once('error', (err) => gone(new Error(`cannot run ${this.bin}: ${err.message}`, { cause: err })));
    child.once('exit', (code, signal) =>
      gone(
        new Error(
          `etcd member ${this.name} exited (code ${code}, signal ${signal}); output:\n${this.logTail}`,
        ),
      ),
    );
    this.guard =
      child.pid === undefined
        ? undefined
        : watchdog(`kill -9 ${child.pid} 2>/dev/null; rm -rf '${this.dataDir}'`);
    this.child = child;
  }

  /** ready resolves when the member answers /health, and rejects if it exits first. */
  async ready(timeoutMs = STARTUP_TIMEOUT_MS): Promise<void> {
    await waitHealthy(this.clientUrl, timeoutMs, () => (this.child ? undefined : this.exited));
  }

  async start(): Promise<void> {
    this.launch();
    await this.ready();
  }

  running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await gone;
    clearTimeout(timer);
  }

  async remove(): Promise<void> {
    await this.kill();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * startBinaryMembers starts one etcd child process per spec (all at once, as a new cluster
 * needs) and resolves when every member is healthy; on failure it removes them all.
 */
export async function startBinaryMembers(bin: string, specs: readonly MemberSpec[]): Promise<EtcdMember[]> {
  const members: BinaryMember[] = [];
  try {
    for (const spec of specs) {
      members.push(new BinaryMember(bin, spec, await mkdtemp(join(tmpdir(), `${spec.name}-`))));
    }
    for (const member of members) member.launch();
    await Promise.all(members.map((m) => m.ready()));
    return members;
  } catch (err) {
    await Promise.all(members.map((m) => m.remove()));
    throw err;
  }
}
