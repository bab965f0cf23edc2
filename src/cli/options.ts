import { parseArgs } from 'node:util';
import { holdNegatives, releaseNegatives } from './negative-args.js';

/** UsageError is a bad flag, env value or argument: the CLI prints its message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** OptionSpec describes one setting: its flag, env variable, type, bounds, default and help text. */
export interface OptionSpec {
  flag: string;
  env?: string;
  type: 'string' | 'int' | 'list' | 'boolean';
  help: string;
  default?: string | number | boolean | string[];
  min?: number;
  max?: number;
  /** pattern: a string value must match it. */
  pattern?: RegExp;
  /** check: says why a string value (or list item) is not acceptable, or returns undefined. */
  check?: (value: string) => string | undefined;
  /** choices: a string value must be one of these. */
  choices?: readonly string[];
  /** short: one-letter alias. */
  short?: string;
}

export type OptionValues = Record<string, string | number | boolean | string[] | undefined>;

/**
 * parseOptions resolves every spec from flags over env over defaults, validating as it goes.
 * Throws UsageError with a one-line message naming the flag (and env variable) on a bad value.
 */
export function parseOptions(
  specs: readonly OptionSpec[],
  argv: string[],
  env: NodeJS.ProcessEnv,
  { allowPositionals = false } = {},
): { values: OptionValues; positionals: string[] } {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const s of specs) {
    config[s.flag] = {
      type: s.type === 'boolean' ? 'boolean' : 'string',
      ...(s.short ? { short: s.short } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    const args = holdNegatives(argv, config, allowPositionals);
    parsed = parseArgs({ args, options: config, allowPositionals, strict: true });
    parsed.positionals = releaseNegatives(parsed.positionals);
  } catch (error) {
    throw new UsageError(parseArgsMessage(error as Error));
  }
  const values: OptionValues = {};
  for (const s of specs) {
    const fromFlag = parsed.values[s.flag] as string | boolean | undefined;
    const fromEnv = s.env ? env[s.env] : undefined;
    const source = fromFlag !== undefined ? `--${s.flag}` : `${s.env}`;
    const raw = fromFlag ?? (fromEnv === '' ? undefined : fromEnv);
    values[s.flag] = raw === undefined ? s.default : convert(s, raw, source);
  }
  return { values, positionals: parsed.positionals };
}

/** parseArgsMessage is parseArgs' complaint as one line; "argument is ambiguous" says what to write instead. */
function parseArgsMessage(error: Error): string {
  const ambiguous = /argument is ambiguous[\s\S]*option argument for '([^']+)'/.exec(error.message);
  if (ambiguous)
    return `${ambiguous[1]} needs a value; a value starting with '-' is written ${ambiguous[1]}=-VALUE`;
  return error.message.split('\n')[0] ?? 'bad arguments';
}

function convert(s: OptionSpec, raw: string | boolean, source: string): OptionValues[string] {
  const bad = (why: string): UsageError => new UsageError(`${source}: ${why} (got ${JSON.stringify(raw)})`);
  if (s.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw bad('expected true or false');
  }
  const text = String(raw);
  if (s.type === 'int') {
    if (!/^-?\d+$/.test(text)) throw bad('expected a whole number');
    const n = Number(text);
    if (s.min !== undefined && n < s.min) throw bad(`must be at least ${s.min}`);
    if (s.max !== undefined && n > s.max) throw bad(`must be at most ${s.max}`);
    return n;
  }
  if (s.type === 'list') {
    const items = text
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    if (items.length === 0) throw bad('expected a comma-separated list');
    for (const item of items)
      if (s.pattern && !s.pattern.test(item)) throw bad(`bad item ${JSON.stringify(item)}`);
    for (const item of items) {
      const problem = s.check?.(item);
      if (problem) throw bad(`${JSON.stringify(item)}: ${problem}`);
    }
    return items;
  }
  if (s.choices && !s.choices.includes(text)) throw bad(`expected one of ${s.choices.join(', ')}`);
  if (s.pattern && !s.pattern.test(text)) throw bad(`expected ${s.pattern}`);
  const problem = s.check?.(text);
  if (problem) throw bad(problem);
  return text;
}

/** formatHelp renders the specs as an aligned flag table with env names and defaults. */
export function formatHelp(usage: string, specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  ${s.short ? `-${s.short}, ` : ''}--${s.flag}${s.type === 'boolean' ? '' : ' <value>'}`;
    const extra = [
      s.env ? `env ${s.env}` : '',
      s.default !== undefined && s.default !== false ? `default ${[s.default].flat().join(',')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return [left, `${s.help}${extra ? ` (${extra})` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return `${usage}\n\nOptions:\n${rows.map(([l, r]) => l.padEnd(width) + r).join('\n')}\n`;
}
