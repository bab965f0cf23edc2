import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath, isHealthy, waitHealthy } from './etcd-health.js';
import { watchdog } from './watchdog.js';

/** LocalEtcd is the etcd `arith up` uses, and how to let go of it. */
export interface LocalEtcd {
  endpoints: string[];
  /** how: one line saying where this etcd came from. */
  how: string;
  stop(): Promise<void>;
}

/** ETCD_IMAGE_DEFAULT is the official image used when only Docker is available. */
export const ETCD_IMAGE_DEFAULT = 'quay.io/coreos/etcd:v3.5.17';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer().once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function freePort(preferred: number): Promise<number> {
  if (await portFree(preferred)) return preferred;
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** etcdFlags are a single loopback member's flags: client and peer URLs on 127.0.0.1. */
function etcdFlags(dataDir: string, client: number, peer: number): string[] {
  const url = `http://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  return [
    ...['--name', 'arith-up', '--data-dir', dataDir],
    ...['--listen-client-urls', url, '--advertise-client-urls', url],
    ...['--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl],
    ...['--initial-cluster', `arith-up=${peerUrl}`],
    // Keep one hour of history: finished jobs' chunks, claims and tallies do not pile up.
    ...['--auto-compaction-mode', 'periodic', '--auto-compaction-retention', '1h'],
  ];
}

/** which finds a program on $PATH or in the usual system dirs (sudo can leave those off $PATH). */
function which(name: string): string | undefined {
  return findOnPath(name, ['/usr/bin', '/usr/local/bin', '/usr/sbin']);
}

async function startBinary(bin: string): Promise<LocalEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'arith-up-etcd-'));
  const client = await freePort(2379);
  const peer = await freePort(2380);
  const url = `http://127.0.0.1:${client}`;
  const child: ChildProcess = spawn(bin, etcdFlags(join(dir, 'data'), client, peer), {
    stdio: 'ignore',
    detached: true,
  });
  // Own process group (stopped after the nodes, not by the terminal's Ctrl-C); gone with us if we die.
  const guard = child.pid
    ? watchdog(`kill -TERM ${child.pid} 2>/dev/null; sleep 2; rm -rf '${dir}'`)
    : undefined;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => guard?.cancel());
  await waitHealthy(url, 20_000, () =>
    child.exitCode === null && child.signalCode === null
      ? undefined
      : new Error('etcd exited during startup'),
  );
  return {
    endpoints: [url],
    how: `started ${bin} at ${url} (data in ${dir})`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startDocker(): Promise<LocalEtcd> {
  const image = process.env.ETCD_IMAGE || ETCD_IMAGE_DEFAULT;
  const client = await freePort(2379);
  const peer = await freePort(2380);
  const url = `http://127.0.0.1:${client}`;
  const name = `arith-up-etcd-${process.pid}`;
  const args = [
    'run',
    '-d',
    '--rm',
    '--network',
    'host',
    '--name',
    name,
    image,
    'etcd',
    ...etcdFlags('/tmp/etcd-data', client, peer),
  ];
  const run = spawnSync('docker', args, { encoding: 'utf8' });
  if (run.status !== 0)
    throw new Error(`docker run ${image} failed: ${(run.stderr || '').trim().split('\n').pop()}`);
  const stop = async (): Promise<void> => void spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  try {
    await waitHealthy(url, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints: [url], how: `started container ${name} (${image}) at ${url}`, stop };
}

function installDebianEtcd(log: (t: string) => void): boolean {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/etc/debian_version') || !which('apt-get')) return false;
  log('etcd not found: installing Debian package etcd-server (apt-get install -y etcd-server) ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', 'etcd-server'], { env, stdio: 'ignore' }).status === 0;
  if (install()) return true;
  spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore' });
  return install();
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * findOrStartEtcd gives `arith up` an etcd: the explicit endpoints if given; an etcd already
 * answering on 127.0.0.1:2379; an `etcd` binary started in a temp dir; Debian's etcd-server
 * installed (as root on Debian/Ubuntu) then started; or a Docker container. Otherwise it throws
 * an Error saying how to install one.
 */
export async function findOrStartEtcd(
  explicit: string[] | undefined,
  log: (t: string) => void,
): Promise<LocalEtcd> {
  const none = async (): Promise<void> => undefined;
  if (explicit) {
    const url = /^https?:\/\//.test(explicit[0]!) ? explicit[0]! : `http://${explicit[0]}`;
    if (!(await isHealthy(url))) throw new Error(`etcd at ${explicit.join(', ')} does not answer /health`);
    return { endpoints: explicit, how: `using etcd at ${explicit.join(', ')}`, stop: none };
  }
  if (await isHealthy('http://127.0.0.1:2379')) {
    return {
      endpoints: ['http://127.0.0.1:2379'],
      how: 'using the etcd already running at 127.0.0.1:2379',
      stop: none,
    };
  }
  let bin = which('etcd');
  if (!bin && installDebianEtcd(log)) bin = which('etcd');
  if (bin) return startBinary(bin);
  if (dockerAnswers()) return startDocker();
  const hint =
    process.platform === 'darwin'
      ? 'brew install etcd'
      : existsSync('/etc/debian_version')
        ? 'sudo apt-get install etcd-server'
        : 'install etcd from your package manager (or https://etcd.io/docs/latest/install/)';
  throw new Error(`no etcd found: ${hint}, start Docker, or set ETCD_ENDPOINTS to a running etcd`);
}
