import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LoadFigures } from './load.js';
import { BENCH_DIR, type ServerProcess, spawnServer } from './procs.js';
import { round } from './stats.js';

const run = promisify(execFile);

/** GoTools are the bench's Go programs, built into a temp dir. */
export interface GoTools {
  version: string;
  server: string;
  load: string;
  /** relay: a bare TCP relay (bytes copied both ways, no parsing), the floor of any extra hop. */
  relay: string;
  /** dispose deletes the temp dir (binaries, and the build cache when HOME was unset). */
  dispose(): void;
}

/** goVersion returns `go version`'s output, or undefined when Go is not on PATH. */
export function goVersion(): string | undefined {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * buildGo builds `bench/go/server`, `bench/go/load` and `bench/go/relay` with `go build` into a new temp dir
 * (GOCACHE and GOPATH in it too when HOME is unset). Resolves to undefined, with the reason, when
 * Go is absent or the build fails; the bench then skips the Go scenarios.
 */
export async function buildGo(): Promise<{ tools?: GoTools; skipped?: string }> {
  const version = goVersion();
  if (!version) return { skipped: 'go not found on PATH (apt-get install golang-go)' };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'arith-bench-go-'));
  const env: NodeJS.ProcessEnv = { ...process.env, GOWORK: 'off', GOFLAGS: '', CGO_ENABLED: '0' };
  if (!process.env.HOME) {
    env.GOCACHE = path.join(tmp, 'gocache');
    env.GOPATH = path.join(tmp, 'gopath');
  }
  try {
    await run('go', ['build', '-o', `${tmp}${path.sep}`, './server', './load', './relay'], {
      cwd: path.join(BENCH_DIR, 'go'),
      env,
      timeout: 180_000,
    });
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    const e = error as { stderr?: string; message?: string };
    return { skipped: `go build failed: ${(e.stderr || e.message || '').trim().split('\n')[0]}` };
  }
  return {
    tools: {
      version,
      server: path.join(tmp, 'server'),
      load: path.join(tmp, 'load'),
      relay: path.join(tmp, 'relay'),
      dispose: () => rmSync(tmp, { recursive: true, force: true }),
    },
  };
}

/** startGoServer starts the net/rpc/jsonrpc Arith server on a free loopback port. */
export function startGoServer(tools: GoTools): Promise<ServerProcess> {
  return spawnServer('go net/rpc server', tools.server, ['-addr', '127.0.0.1:0']);
}

/** startGoRelay starts the bare TCP relay to `to` (host:port) on a free loopback port. */
export function startGoRelay(tools: GoTools, to: string): Promise<ServerProcess> {
  return spawnServer('go tcp relay', tools.relay, ['-addr', '127.0.0.1:0', '-to', to]);
}

/**
 * goLoad runs the Go load client against `addr`: `callers` goroutines sharing `conns` connections
 * for `seconds` after a `warmupMs` warm-up, and returns its figures.
 */
export async function goLoad(
  tools: GoTools,
  addr: string,
  callers: number,
  conns: number,
  seconds: number,
  warmupMs: number,
): Promise<LoadFigures> {
  const { stdout } = await run(
    tools.load,
    [
      '-addr',
      addr,
      '-n',
      String(callers),
      '-k',
      String(conns),
      '-d',
      `${seconds}s`,
      '-warmup',
      `${warmupMs}ms`,
    ],
    { timeout: (seconds + warmupMs / 1000 + 40) * 1000, maxBuffer: 1 << 20 },
  );
  const s = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
    calls: number;
    seconds: number;
    p50Ms: number;
    p99Ms: number;
    errors: number;
    firstError?: string;
    cpuPct?: number;
  };
  return {
    calls: s.calls,
    seconds: round(s.seconds),
    callsPerSec: Math.round(s.calls / s.seconds),
    p50Ms: round(s.p50Ms),
    p99Ms: round(s.p99Ms),
    errors: s.errors,
    ...(s.cpuPct === undefined ? {} : { clientCpuPct: Math.round(s.cpuPct) }),
    ...(s.firstError ? { firstError: s.firstError } : {}),
  };
}
