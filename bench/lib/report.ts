import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Machine } from './machine.js';

/** Cell is one table cell: numbers are formatted, strings shown as they are. */
export type Cell = string | number | undefined;

/** Table is one printed table: a title, column headers, rows and notes under it. */
export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
  notes?: string[];
}

/** Target is one of the targets with the figure measured in this run. */
export interface Target {
  target: string;
  measured: string;
  holds: 'yes' | 'no' | 'n/a';
  /** why: what the figure is made of (or why it is missing). */
  why: string;
}

/** fmt formats a number for a table: thousands separators, at most 3 decimals; NaN and undefined as '–'. */
export function fmt(x: Cell): string {
  if (x === undefined) return '–';
  if (typeof x === 'string') return x;
  if (!Number.isFinite(x)) return '–';
  const abs = Math.abs(x);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 10 ? 2 : 3;
  return x.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** renderText lays a table out in fixed-width columns for the terminal. */
export function renderText(t: Table): string {
  const cells = t.rows.map((r) => r.map(fmt));
  const widths = t.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = t.columns.map((_, i) => t.rows.every((r) => typeof r[i] !== 'string'));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [`== ${t.title}`, line(t.columns), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells) out.push(line(t.columns.map((_, i) => r[i] ?? '')));
  for (const n of t.notes ?? []) out.push(`   ${n}`);
  return out.join('\n');
}

/** renderMarkdown renders a table as GitHub Markdown. */
export function renderMarkdown(t: Table): string {
  const esc = (s: string): string => s.replaceAll('|', '\\|');
  const numeric = t.columns.map((_, i) => t.rows.every((r) => typeof r[i] !== 'string'));
  const out = [
    `### ${t.title}`,
    '',
    `| ${t.columns.map(esc).join(' | ')} |`,
    `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${t.columns.map((_, i) => esc(fmt(r[i]))).join(' | ')} |`),
  ];
  if (t.notes?.length) out.push('', ...t.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

/** targetsTable turns the targets into a table. */
export function targetsTable(targets: Target[]): Table {
  return {
    title: 'Targets (ratios from this run)',
    columns: ['target', 'measured', 'holds', 'from'],
    rows: targets.map((t) => [t.target, t.measured, t.holds, t.why]),
  };
}

/** machineTable lists the machine and versions. */
export function machineTable(m: Machine, command: string): Table {
  return {
    title: 'Machine',
    columns: ['', ''],
    rows: [
      ['cpu', `${m.cpu} × ${m.cores}`],
      ['memory', `${m.memoryGb} GB`],
      ['os', m.os],
      ['node', m.node],
      ['go', m.go],
      ['etcd', `${m.etcd} (${m.etcdMode})`],
      ['arith-cluster', `${m.arithCluster}, commit ${m.gitCommit}`],
      ['date', m.date],
      ['other load', `load average ${m.loadAvg}, CPUs ${m.busyBeforePct}% busy before the bench started`],
      ['command', command],
    ],
  };
}

/** writeMarkdown writes the Markdown report: machine, every section's tables, targets. */
export function writeMarkdown(file: string, machine: Machine, tables: Table[], command: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const body = [
    '# Benchmarks',
    '',
    `Written by \`${command}\` (\`bench/run.ts\`); every figure is the median of the runs shown,`,
    'measured in one run on one machine. Absolute numbers drift between runs and machines; compare',
    'the ratios. Raw figures, per run, are in `results.json` next to this file.',
    '',
    renderMarkdown(machineTable(machine, command)),
    '',
    ...tables.flatMap((t) => [renderMarkdown(t), '']),
  ].join('\n');
  writeFileSync(file, body);
}

/** writeJson writes `value` as pretty JSON. */
export function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
