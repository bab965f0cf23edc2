/**
 * `npm run bench`: the cluster side by side with the alternatives a user would pick instead, in one
 * run on one machine (ratios hold across machines; absolute numbers drift). Sections:
 * 1 throughput/latency, 2 fan-out, 3 discovery, 4 results store, 5 memory; then the targets.
 * Prints one table per section, writes bench/results.json and bench/RESULTS.md.
 * `npm run bench -- --help` lists the options; `--quick` is the CI smoke run (no timing assertions).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EtcdHandle, startEtcd } from '../test/support/etcd.js';
import { NODE_BIN, stopAllNodes } from '../test/support/process.js';
import {
  type BenchContext,
  errorText,
  type MainCluster,
  type SectionOutput,
  startNodes,
} from './lib/context.js';
import { childPidsNamed } from './lib/cpu.js';
import { summariseProfile } from './lib/cpu-profile.js';
import { buildGo, type GoTools } from './lib/go.js';
import { sleep } from './lib/load.js';
import { cpuBusyPct, describeMachine } from './lib/machine.js';
import { type BenchOptions, parseOptions, type Section, USAGE } from './lib/options.js';
import { killAll } from './lib/procs.js';
import {
  measuredWindow,
  PROF_DIR,
  profiledRoles,
  type Window,
  writeProfilingNotes,
} from './lib/profiling.js';
import {
  machineTable,
  renderText,
  type Table,
  targetsTable,
  writeJson,
  writeMarkdown,
} from './lib/report.js';
import { computeTargets, type SectionData } from './lib/targets.js';
import { runDiscovery } from './sections/discovery.js';
import { runFanout } from './sections/fanout.js';
import { runMemory } from './sections/memory.js';
import { runQueue } from './sections/queue.js';
import { runResults } from './sections/results-store.js';
import { runThroughput } from './sections/throughput.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const started = performance.now();

function progress(message: string): void {
  const s = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${message}\n`);
}

/** shown is a path relative to the working directory when it is inside it, else absolute. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** ensureBuilt builds dist/ when it is missing (nodes run the built arith-node); warns when stale. */
function ensureBuilt(): void {
  if (!existsSync(NODE_BIN)) {
    progress(`${path.relative(ROOT, NODE_BIN)} is missing: running npm run build`);
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build failed');
  } else if (statSync(NODE_BIN).mtimeMs < newest(path.join(ROOT, 'src'))) {
    progress('warning: src/ is newer than dist/: the nodes run the last build (npm run build first)');
  }
}

const SECTION_RUNNERS: Record<Section, (ctx: BenchContext) => Promise<SectionOutput>> = {
  throughput: runThroughput,
  fanout: runFanout,
  discovery: runDiscovery,
  results: runResults,
  queue: runQueue,
  memory: runMemory,
};

async function startMain(etcd: EtcdHandle): Promise<MainCluster> {
  const namespace = `bench-${process.pid}`;
  const args: string[] = [];
  const nodes = await startNodes(etcd, namespace, 3, args, 'bench');
  await sleep(1000);
  return { namespace, nodes };
}

async function bench(opts: BenchOptions, command: string): Promise<void> {
  ensureBuilt();
  // Other work on the machine skews every figure: record how busy it was before we started.
  const before = { loadAvg: Math.round(os.loadavg()[0]! * 100) / 100, busyBeforePct: await cpuBusyPct(1000) };
  progress(`machine: load average ${before.loadAvg}, CPUs ${before.busyBeforePct}% busy before the bench`);
  if (before.busyBeforePct > 25) {
    progress('warning: the machine is busy with other work; figures (and ratios) will be noisy');
  }
  const etcd = await startEtcd();
  if (PROF_DIR)
    for (const pid of childPidsNamed('etcd')) profiledRoles.set(pid, 'etcd (CPU only, not profiled)');
  progress(
    `[etcd] mode=${etcd.mode} endpoints=${etcd.endpoints.join(',')}${etcd.image ? ` image=${etcd.image}` : ''}`,
  );
  let go: GoTools | undefined;
  let main: MainCluster | undefined;
  const needGo = opts.sections.includes('throughput');
  // Built while the nodes start; awaited in `finally` too, so its temp dir is removed whatever fails.
  const building = needGo
    ? buildGo()
    : Promise.resolve<Awaited<ReturnType<typeof buildGo>>>({ skipped: 'not needed' });
  try {
    main = await startMain(etcd);
    const built = await building;
    go = built.tools;
    if (needGo)
      progress(go ? `go: built with ${go.version}` : `go: ${built.skipped}; the Go scenarios are skipped`);
    const ctx: BenchContext = { opts, etcd, go, goSkipped: built.skipped, main, progress };
    const data: SectionData = {};
    const tables: Table[] = [];
    const sectionSeconds: Record<string, number> = {};
    const sectionErrors: Record<string, string> = {};
    for (const section of opts.sections) {
      progress(`section ${section}`);
      const sectionStarted = performance.now();
      let out: SectionOutput;
      try {
        out = await measuredWindow(section, () => SECTION_RUNNERS[section](ctx));
        (data as Record<string, unknown>)[section] = out.data;
      } catch (error) {
        progress(`section ${section} failed: ${(error as Error).stack ?? error}`);
        out = {
          tables: [{ title: `${section}: failed`, columns: ['error'], rows: [[errorText(error)]] }],
          data: { error: errorText(error) },
        };
        // Kept apart from the sections' figures: the targets then read the section as not measured.
        sectionErrors[section] = errorText(error);
      }
      sectionSeconds[section] = Math.round((performance.now() - sectionStarted) / 100) / 10;
      progress(`section ${section} took ${sectionSeconds[section]} s`);
      for (const t of out.tables) {
        tables.push(t);
        console.log(`\n${renderText(t)}`);
      }
    }
    const targets = computeTargets(data);
    const tt = targetsTable(targets);
    tables.push(tt);
    console.log(`\n${renderText(tt)}`);
    const machine = await describeMachine(etcd, before);
    console.log(`\n${renderText(machineTable(machine, command))}`);
    const totalSeconds = Math.round((performance.now() - started) / 100) / 10;
    tables.push({
      title: 'Bench duration (issue 16: the whole bench under 5 minutes)',
      columns: ['section', 'seconds'],
      rows: [
        ...Object.entries(sectionSeconds).map(([s, sec]) => [s, String(sec)]),
        ['whole bench', String(totalSeconds)],
      ],
    });
    if (opts.json) {
      const options = { ...opts, json: shown(opts.json), markdown: opts.markdown && shown(opts.markdown) };
      writeJson(opts.json, {
        machine,
        command,
        options,
        totalSeconds,
        sectionSeconds,
        sectionErrors,
        sections: data,
        targets,
      });
      console.log(`\nwrote ${shown(opts.json)}`);
    }
    if (opts.markdown) {
      writeMarkdown(opts.markdown, machine, tables, command);
      console.log(`wrote ${shown(opts.markdown)}`);
    }
    console.log(`bench finished in ${totalSeconds} s`);
    writeProfilingNotes();
  } finally {
    // SIGTERM first: nodes drain and exit cleanly (and write their CPU profiles when profiling).
    await Promise.all(
      (main?.nodes ?? []).map((n) => Promise.race([n.stop('SIGTERM'), sleep(5000)]).catch(() => undefined)),
    );
    await stopAllNodes();
    killAll();
    await etcd.stop().catch((error: unknown) => progress(`etcd stop: ${errorText(error)}`));
    (await building.catch(() => undefined))?.tools?.dispose();
  }
}

/**
 * profile re-runs one throughput scenario (`ID@CALLERS`) or one section with the bench process (the
 * client) under `--cpu-prof` and the nodes and helper servers under the profiling preload, then
 * prints each process's CPU use and top self-time functions and modules in the measured window.
 */
async function profile(opts: BenchOptions): Promise<void> {
  const [id, callers] = opts.profile!.split('@') as [string, string | undefined];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arith-bench-prof-'));
  const seconds = Math.max(5, opts.seconds);
  const args = ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', SELF, '--runs', '1', '--no-write'];
  args.push('--seconds', String(seconds), '--go-conns', String(opts.goConns));
  args.push('--pending', String(opts.pending));
  if (opts.sdkConns !== undefined) args.push('--sdk-conns', String(opts.sdkConns));
  if (callers === undefined) args.push('--only', id.split(':')[0]!);
  else args.push('--only', 'throughput', '--scenario', id, '--callers', callers);
  progress(`profiling ${opts.profile} (${seconds} s per run); profiles in ${dir}`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, BENCH_PROF_DIR: dir },
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`profiled run exited ${code}`);
  const read = <T>(name: string, empty: T): T =>
    existsSync(path.join(dir, name)) ? (JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as T) : empty;
  const roles = read<Record<string, string>>('roles.json', {});
  const windows = read<Window[]>('windows.json', []).filter((w) => w.label === opts.profile);
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  // Both Node's --cpu-prof names and the preload's carry the pid as the 4th dot-separated part.
  const pidOf = (f: string): string => f.split('.')[3] ?? '';
  const role = (f: string): string => roles[pidOf(f)] ?? `pid ${pidOf(f)}`;
  files.sort((a, b) =>
    role(a).startsWith('client') ? -1 : role(b).startsWith('client') ? 1 : a < b ? -1 : 1,
  );
  const measured = windows.reduce((a, w) => a + (w.endUs - w.startUs) / 1e6, 0);
  console.log(`\n${windows.length} measured window(s) of ${opts.profile}, ${measured.toFixed(1)} s in all`);
  const withCpu = windows.filter((w) => Object.keys(w.cpuPct).length > 0);
  if (withCpu.length > 0) {
    console.log(`CPU use in the window(s), % of one core (this machine has ${os.cpus().length} cores):`);
    for (const [pid, r] of Object.entries(roles)) {
      const pct = withCpu.map((w) => w.cpuPct[pid]);
      console.log(`  ${r.padEnd(30)} ${pct.map((p) => (p === undefined ? '–' : `${p}%`)).join(', ')}`);
    }
  }
  for (const f of files) {
    const s = summariseProfile(path.join(dir, f), windows);
    const idle = s.functions.find((x) => x.name === '(idle)')?.pct ?? 0;
    if (idle > 95) {
      console.log(
        `\n== CPU profile: ${role(f)}, thread ${f.split('.')[4]}: ${idle}% idle in the window, skipped`,
      );
      continue;
    }
    console.log(`\n== CPU profile: ${role(f)} (${s.totalMs} ms sampled in the window) ${s.file}`);
    console.log('top self time, functions:');
    for (const x of s.functions) {
      console.log(
        `  ${x.pct.toFixed(1).padStart(5)}%  ${String(x.ms).padStart(6)} ms  ${x.name}  ${x.where}`,
      );
    }
    console.log('by module:');
    for (const x of s.modules.slice(0, 10)) {
      console.log(`  ${x.pct.toFixed(1).padStart(5)}%  ${String(x.ms).padStart(6)} ms  ${x.name}`);
    }
  }
}

async function main(): Promise<number> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  if (opts === 'help') {
    console.log(USAGE);
    return 0;
  }
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  // Nothing may hang CI: give up (and clean up) long after any sane run.
  const watchdog = setTimeout(() => {
    console.error('bench: still running after 20 minutes; giving up');
    killAll();
    void stopAllNodes().finally(() => process.exit(1));
  }, 20 * 60_000);
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      void stopAllNodes().finally(() => process.exit(130));
    });
  }
  try {
    if (opts.profile) await profile(opts);
    else await bench(opts, command);
    return 0;
  } catch (error) {
    console.error(`bench: the harness failed: ${(error as Error).stack ?? error}`);
    return 1;
  }
}

process.exit(await main());
