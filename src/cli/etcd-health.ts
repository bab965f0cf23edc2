import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * isHealthy tells whether `GET <clientUrl>/health` answers `{"health":"true"}` within `timeoutMs`.
 * Shared by `arith up` and the test harness.
 */
export async function isHealthy(clientUrl: string, timeoutMs = 1_000): Promise<boolean> {
  try {
    const res = await fetch(`${clientUrl.replace(/\/$/, '')}/health`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json()) as { health?: unknown };
    return res.ok && body.health === 'true';
  } catch {
    return false;
  }
}

/**
 * waitHealthy polls `/health` every 100 ms until it answers healthy, `failed()` returns an error
 * (the process died, say), or `timeoutMs` passes; it rejects in the last two cases.
 */
export async function waitHealthy(
  clientUrl: string,
  timeoutMs: number,
  failed: () => Error | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const err = failed();
    if (err) throw err;
    if (await isHealthy(clientUrl)) return;
    if (Date.now() > deadline) throw new Error(`etcd at ${clientUrl} not healthy after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * findOnPath returns `name` itself if it contains a slash and is executable, else the first
 * executable `name` in a $PATH directory or in `extraDirs`, else undefined.
 */
export function findOnPath(name: string, extraDirs: readonly string[] = []): string | undefined {
  const candidates = name.includes('/')
    ? [name]
    : [...(process.env.PATH ?? '').split(delimiter), ...extraDirs].map((dir) => join(dir || '.', name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here: try the next one
    }
  }
  return undefined;
}
