import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ARITH_BIN is the built `arith` CLI entry point that tests run as a real process. */
export const ARITH_BIN = fileURLToPath(new URL('../../dist/cli/arith.js', import.meta.url));

/** CliRun is how one `arith` process ended: its exit code and everything it printed. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * runArith runs `node dist/cli/arith.js ...args` to its end, with stdin closed and the etcd
 * environment cleared (set it through `env`); rejects if it has not exited within `timeoutMs`.
 */
export async function runArith(
  args: string[],
  { env = {}, timeoutMs = 30_000 }: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliRun> {
  if (!existsSync(ARITH_BIN)) throw new Error(`${ARITH_BIN} is missing: run 'npm run build' first`);
  const child = spawn(process.execPath, [ARITH_BIN, ...args], {
    env: { ...process.env, ETCD_ENDPOINTS: '', ARITH_NAMESPACE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return await new Promise<CliRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`arith ${args.join(' ')}: still running after ${timeoutMs} ms\n${stdout}${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** lines splits output into its non-empty lines. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}
