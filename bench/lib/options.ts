import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR } from './procs.js';

/** SECTIONS are the bench's sections, in the order they run. */
export const SECTIONS = ['throughput', 'fanout', 'discovery', 'results', 'queue', 'memory'] as const;

/** Section names one section of the bench. */
export type Section = (typeof SECTIONS)[number];

/** BenchOptions are the parsed command-line options of `bench/run.ts`. */
export interface BenchOptions {
  quick: boolean;
  /** runs: repetitions of every scenario; figures are the median over them. */
  runs: number;
  /** seconds: measured duration of one throughput/latency run. */
  seconds: number;
  /** warmupMs: unmeasured load before each measured run. */
  warmupMs: number;
  callers: number[];
  sections: Section[];
  /** scenarios: substrings; a throughput scenario runs only if its id contains one (all when empty). */
  scenarios: string[];
  /** goConns: connections the Go load client's goroutines share. */
  goConns: number;
  /** sdkConns: the SDK's connectionsPerNode (also its batches in flight per node); undefined: its default. */
  sdkConns: number | undefined;
  /** pending: calls the client-RSS measurement keeps pending at once. */
  pending: number;
  /** json, markdown: where the results go (undefined: not written). */
  json: string | undefined;
  markdown: string | undefined;
  /** profile: `<scenario>@<callers>`: re-run that one throughput scenario under --cpu-prof and summarise. */
  profile: string | undefined;
}

export const USAGE = `usage: npm run bench -- [options]
  --quick              1 run of ~1 s per scenario, callers 1 and 256 (CI smoke run, ~1 min)
  --runs N             repetitions per scenario, median reported (default 3)
  --seconds S          measured seconds per throughput run (default 1.2; quick 1)
  --callers 1,64,256   concurrent callers for the throughput section
  --only a,b           sections to run: ${SECTIONS.join(', ')}
  --scenario a,b       throughput scenarios whose id contains one of these (e.g. sdk-batch,go-pair)
  --go-conns K         connections shared by the Go client's goroutines (default 1, the seed's design)
  --sdk-conns K        the SDK's connectionsPerNode, also its batches in flight per node (default: SDK's)
  --pending N          calls kept pending for the client RSS figure (default 100000)
  --out FILE           results JSON (default bench/results.json; quick: a temp dir)
  --md FILE            Markdown tables (default bench/RESULTS.md; quick: a temp dir)
  --no-write           write neither file
  --profile ID@N       profile throughput scenario ID at N callers (or a section, e.g. results,
                       or part of one: results:compute, results:raw-1, results:map): the bench
                       process (the client), the nodes and helper servers under --cpu-prof, then
                       each one's CPU use and top self-time functions in the measured window(s)`;

const VALUE_FLAGS = [
  '--runs',
  '--seconds',
  '--callers',
  '--only',
  '--scenario',
  '--go-conns',
  '--sdk-conns',
  '--pending',
  '--out',
  '--md',
  '--profile',
];

/** parseOptions reads `argv` (without node and script); throws an Error with a message on bad input. */
export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const quick = argv.includes('--quick');
  const tmp = path.join(os.tmpdir(), 'arith-bench-quick');
  const o: BenchOptions = {
    quick,
    runs: quick ? 1 : 3,
    seconds: quick ? 1 : 1.2,
    warmupMs: quick ? 200 : 250,
    callers: quick ? [1, 256] : [1, 64, 256],
    sections: [...SECTIONS],
    scenarios: [],
    goConns: 1,
    sdkConns: undefined,
    pending: 100_000,
    json: quick ? path.join(tmp, 'results.json') : path.join(BENCH_DIR, 'results.json'),
    markdown: quick ? path.join(tmp, 'RESULTS.md') : path.join(BENCH_DIR, 'RESULTS.md'),
    profile: undefined,
  };
  const list = (v: string): string[] =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const positive = (flag: string, v: string, integer = true): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new Error(`${flag} wants a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--help' || flag === '-h') return 'help';
    if (flag === '--quick') continue;
    if (flag === '--no-write') {
      o.json = undefined;
      o.markdown = undefined;
      continue;
    }
    if (!VALUE_FLAGS.includes(flag)) throw new Error(`unknown option ${flag}\n${USAGE}`);
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    switch (flag) {
      case '--runs':
        o.runs = positive(flag, value);
        break;
      case '--seconds':
        o.seconds = positive(flag, value, false);
        break;
      case '--callers':
        o.callers = list(value).map((v) => positive(flag, v));
        break;
      case '--only': {
        const names = list(value);
        const bad = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
        if (bad.length > 0) throw new Error(`--only: unknown section ${bad.join(', ')}`);
        o.sections = SECTIONS.filter((s) => names.includes(s));
        break;
      }
      case '--scenario':
        o.scenarios = list(value);
        break;
      case '--go-conns':
        o.goConns = positive(flag, value);
        break;
      case '--sdk-conns':
        o.sdkConns = positive(flag, value);
        break;
      case '--pending':
        o.pending = positive(flag, value);
        break;
      case '--out':
        o.json = path.resolve(value);
        break;
      case '--md':
        o.markdown = path.resolve(value);
        break;
      case '--profile':
        if (
          !/^[a-z0-9-]+@\d+$/.test(value) &&
          !(SECTIONS as readonly string[]).includes(value.split(':')[0]!)
        ) {
          throw new Error(
            '--profile wants ID@CALLERS (e.g. sdk-batch-on@256) or a section name (e.g. results)',
          );
        }
        o.profile = value;
        break;
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return o;
}
