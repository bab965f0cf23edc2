import { spawn } from 'node:child_process';

/** Watchdog runs a shell command once this process is gone, unless cancelled first. */
export interface Watchdog {
  /** cancel disarms the watchdog (call it before a normal stop). */
  cancel(): void;
}

/**
 * watchdog arms a detached `/bin/sh` that blocks reading a pipe from this process and runs
 * `shellCommand` when the pipe closes, that is when this process exits in any way (even
 * SIGKILL, when exit hooks do not run). It keeps the etcd and nodes `arith up` started, and the
 * etcd processes and containers of a test worker, from outliving their parent. POSIX only.
 */
export function watchdog(shellCommand: string): Watchdog {
  const child = spawn('/bin/sh', ['-c', `read _ignored; ${shellCommand}`], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  child.on('error', () => {});
  child.stdin?.on('error', () => {});
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    cancel: () => {
      child.kill('SIGKILL');
    },
  };
}
