/**
 * A multi-host harness on one machine: every host is a Linux network namespace of its own with one
 * address on a private /24, joined to the others through a veth pair into a bridge that lives in a
 * dedicated namespace too, so nothing is added to the machine's own network and no traffic leaves
 * it. Partitions are iptables DROP rules inside a host's namespace. Needs root, iproute2, iptables.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type Watchdog, watchdog } from '../../src/cli/watchdog.js';
import { type WatchedChild, watchLines } from './netns-child.js';

/** SUBNET is the private /24 every run uses; it exists only inside the run's own namespaces. */
const SUBNET = '10.213.0';
/** PREFIX starts the name of every namespace a harness makes: `arn-<pid>-<random>-<host>`. */
const PREFIX = 'arn-';

/** NetHost is one host: its namespace and its address. */
export interface NetHost {
  name: string;
  ns: string;
  ip: string;
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function ipNetns(...args: string[]): string {
  return sh('ip', ['netns', ...args]);
}

function listNamespaces(): string[] {
  return ipNetns('list')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** removeNamespace kills what still runs inside `ns` and deletes it; quiet if it is gone. */
function removeNamespace(ns: string): void {
  try {
    for (const pid of ipNetns('pids', ns).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {}
    }
    ipNetns('del', ns);
  } catch {}
}

/** removeStale deletes namespaces left by an earlier run whose process is gone (a crash). */
function removeStale(): void {
  for (const ns of listNamespaces()) {
    const pid = /^arn-(\d+)-/.exec(ns)?.[1];
    if (!pid) continue;
    try {
      process.kill(Number(pid), 0);
    } catch {
      removeNamespace(ns);
    }
  }
}

/**
 * netnsUnavailable says why namespaces cannot be made here (not root, a tool missing, the kernel
 * refuses), or undefined when they can: it makes and deletes one namespace to find out.
 */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  for (const tool of ['ip', 'iptables']) {
    try {
      sh('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `${tool} is missing (apt-get install iproute2 iptables)`;
    }
  }
  const probe = `${PREFIX}${process.pid}-probe`;
  try {
    ipNetns('add', probe);
    sh('ip', ['netns', 'exec', probe, 'iptables', '-L', '-n']);
    return undefined;
  } catch (error) {
    return `cannot make a network namespace: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    removeNamespace(probe);
  }
}

/**
 * Netns is one run's set of hosts. `create()` makes the bridge; `host(name)` adds a host;
 * `cut`/`heal` drop and restore traffic between two hosts; `isolate` cuts a host from all the
 * others; `spawn` runs a process inside a host; `close()` kills those processes and removes every
 * namespace (a watchdog does it too if the test process dies).
 */
export class Netns {
  readonly #prefix: string;
  readonly #bridge: string;
  readonly #hosts: NetHost[] = [];
  readonly #children = new Set<ChildProcess>();
  readonly #guard: Watchdog;
  readonly #cuts = new Set<string>();

  private constructor() {
    this.#prefix = `${PREFIX}${process.pid}-${randomBytes(2).toString('hex')}-`;
    this.#bridge = `${this.#prefix}br`;
    this.#guard = watchdog(
      `for n in $(ip netns list | cut -d' ' -f1 | grep '^${this.#prefix}'); do ip netns pids $n | xargs -r kill -9; ip netns del $n; done`,
    );
  }

  /** create removes stale namespaces of crashed runs, then makes this run's bridge namespace. */
  static create(): Netns {
    removeStale();
    const net = new Netns();
    try {
      ipNetns('add', net.#bridge);
      net.#in(net.#bridge, 'ip', 'link', 'set', 'lo', 'up');
      net.#in(net.#bridge, 'ip', 'link', 'add', 'br0', 'type', 'bridge');
      net.#in(net.#bridge, 'ip', 'link', 'set', 'br0', 'up');
    } catch (error) {
      net.close();
      throw error;
    }
    return net;
  }

  /** hosts lists the hosts made so far. */
  get hosts(): readonly NetHost[] {
    return this.#hosts;
  }

  /** host adds a namespace `name` with address 10.213.0.<n>/24 on `eth0`, wired into the bridge. */
  host(name: string): NetHost {
    const index = this.#hosts.length + 10;
    const ns = `${this.#prefix}${name}`;
    const ip = `${SUBNET}.${index}`;
    ipNetns('add', ns);
    const host = { name, ns, ip };
    this.#hosts.push(host);
    const veth = `v${index}`;
    this.#in(this.#bridge, 'ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    this.#in(this.#bridge, 'ip', 'link', 'set', veth, 'master', 'br0', 'up');
    this.#in(ns, 'ip', 'link', 'set', 'lo', 'up');
    this.#in(ns, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
    this.#in(ns, 'ip', 'link', 'set', 'eth0', 'up');
    return host;
  }

  /** cut drops all traffic between hosts `a` and `b` (rules in `a`'s namespace, both directions). */
  cut(a: NetHost, b: NetHost): void {
    const key = `${a.ns} ${b.ip}`;
    if (this.#cuts.has(key)) return;
    this.#in(a.ns, 'iptables', '-I', 'INPUT', '-s', b.ip, '-j', 'DROP');
    this.#in(a.ns, 'iptables', '-I', 'OUTPUT', '-d', b.ip, '-j', 'DROP');
    this.#cuts.add(key);
  }

  /** heal removes the rules `cut(a, b)` added. */
  heal(a: NetHost, b: NetHost): void {
    const key = `${a.ns} ${b.ip}`;
    if (!this.#cuts.delete(key)) return;
    this.#in(a.ns, 'iptables', '-D', 'INPUT', '-s', b.ip, '-j', 'DROP');
    this.#in(a.ns, 'iptables', '-D', 'OUTPUT', '-d', b.ip, '-j', 'DROP');
  }

  /** isolate cuts `a` from every other host; `healAll` undoes every cut. */
  isolate(a: NetHost): void {
    for (const b of this.#hosts) if (b !== a) this.cut(a, b);
  }

  /** healAll removes every DROP rule this harness added. */
  healAll(): void {
    for (const key of [...this.#cuts]) {
      const [ns, ip] = key.split(' ') as [string, string];
      const a = this.#hosts.find((h) => h.ns === ns);
      const b = this.#hosts.find((h) => h.ip === ip);
      if (a && b) this.heal(a, b);
    }
  }

  /** spawn runs `cmd args` inside `host` (`ip netns exec` execs it: the pid is the program's). */
  spawn(host: NetHost, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): WatchedChild {
    const child = spawn('ip', ['netns', 'exec', host.ns, cmd, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return watchLines(child, `${host.name}: ${cmd}`);
  }

  /** close kills the processes this harness started and removes all its namespaces. */
  close(): void {
    for (const child of this.#children) child.kill('SIGKILL');
    for (const host of this.#hosts) removeNamespace(host.ns);
    removeNamespace(this.#bridge);
    this.#guard.cancel();
  }

  #in(ns: string, ...cmd: string[]): void {
    sh('ip', ['netns', 'exec', ns, ...cmd]);
  }
}
