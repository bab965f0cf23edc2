import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** SelfTime is one function's (or module's) self time in a profile. */
export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  pct: number;
}

/** ProfileSummary: total sampled time and the top functions and modules by self time. */
export interface ProfileSummary {
  file: string;
  totalMs: number;
  functions: SelfTime[];
  modules: SelfTime[];
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** shortUrl makes a profile URL readable: `src/client/node-client.ts`, `undici`, `node:internal/...`. */
function shortUrl(url: string): string {
  if (url === '') return '';
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    const pkg = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    return `${pkg}/${rest.slice(rest[0]?.startsWith('@') ? 2 : 1).join('/')}`;
  }
  return file.startsWith(ROOT) ? path.relative(ROOT, file) : file;
}

/** moduleOf groups a URL: a package name, a repo file, `node:internal/<area>`, or a VM bucket. */
function moduleOf(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native/builtin)';
  const s = shortUrl(url);
  if (s.startsWith('node:')) return s.split('/').slice(0, 3).join('/');
  if (url.includes('/node_modules/'))
    return `npm:${s.split('/')[0]!.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]}`;
  return s;
}

/**
 * summariseProfile reads a .cpuprofile and sums self time per function and per module, counting
 * only samples inside `windows` (µs, V8's monotonic clock) when any are given.
 */
export function summariseProfile(
  file: string,
  windows: readonly { startUs: number; endUs: number }[] = [],
  top = 15,
): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const inside = (t: number): boolean =>
    windows.length === 0 || windows.some((w) => t >= w.startUs && t <= w.endUs);
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (inside(t)) selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, SelfTime>();
  const mods = new Map<string, SelfTime>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const k = `${name}@${where}`;
    const f = fns.get(k) ?? { name, where, ms: 0, pct: 0 };
    f.ms += us / 1000;
    fns.set(k, f);
    const mk = moduleOf(url, name);
    const m = mods.get(mk) ?? { name: mk, where: '', ms: 0, pct: 0 };
    m.ms += us / 1000;
    mods.set(mk, m);
  }
  const finish = (xs: Iterable<SelfTime>): SelfTime[] =>
    [...xs]
      .map((x) => ({ ...x, ms: Math.round(x.ms), pct: Math.round((x.ms / (total / 1000)) * 1000) / 10 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return {
    file,
    totalMs: Math.round(total / 1000),
    functions: finish(fns.values()),
    modules: finish(mods.values()),
  };
}
