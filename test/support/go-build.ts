import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** GO_DIR is the Go module with the test programs (`test/go`). */
export const GO_DIR = fileURLToPath(new URL('../go', import.meta.url));

/** hasGo: a `go` toolchain is on PATH. */
export const hasGo = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;

/** buildGoProgram builds `./<pkg>` of test/go into `<tmp>/<pkg>` and returns the binary's path. */
export async function buildGoProgram(pkg: string, tmp: string): Promise<string> {
  const bin = path.join(tmp, pkg);
  const env: NodeJS.ProcessEnv = { ...process.env, GOWORK: 'off', GOFLAGS: '', CGO_ENABLED: '0' };
  if (!process.env.HOME) {
    env.GOCACHE = path.join(tmp, 'gocache');
    env.GOPATH = path.join(tmp, 'gopath');
  }
  await run('go', ['build', '-o', bin, `./${pkg}`], { cwd: GO_DIR, env, timeout: 120_000 });
  return bin;
}
