import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** run is execFile as a promise. */
export const run = promisify(execFile);

/** GO_DIR is the `test/go` module. */
export const GO_DIR = fileURLToPath(new URL('../go', import.meta.url));

/** hasGo: a Go toolchain is on PATH. */
export const hasGo = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;

/** GoBuild is a built Go program in a temporary directory. */
export interface GoBuild {
  bin: string;
  /** remove deletes the binary and its build caches. */
  remove(): void;
}

/** buildGo builds `./<pkg>` of test/go into a temporary directory, outside any workspace. */
export async function buildGo(pkg: string): Promise<GoBuild> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'arith-go-'));
  const bin = path.join(tmp, `arith-go-${pkg}`);
  const env: NodeJS.ProcessEnv = { ...process.env, GOWORK: 'off', GOFLAGS: '', CGO_ENABLED: '0' };
  if (!process.env.HOME) {
    env.GOCACHE = path.join(tmp, 'gocache');
    env.GOPATH = path.join(tmp, 'gopath');
  }
  await run('go', ['build', '-o', bin, `./${pkg}`], { cwd: GO_DIR, env, timeout: 120_000 });
  return { bin, remove: () => rmSync(tmp, { recursive: true, force: true }) };
}
