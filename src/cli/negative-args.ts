/**
 * Negative numbers on the command line. node:util parseArgs reads `-5` as the short option `5`,
 * so `arith call Arith.Multiply -5 3` and `--deadline -5` would fail with "Unknown option '-5'" or
 * "argument is ambiguous". No flag here has a digit for its short name, so a token `-<digit>…`
 * before `--` is never an option: after a flag that takes a value it is that value, otherwise a
 * positional argument.
 */

const NEGATIVE = /^-\d/;
/** HELD marks a positional argument that was set aside from parseArgs (it cannot occur in argv text). */
const HELD = '\u0000';

/** FlagKinds: for each long flag and short alias, whether it takes a value. */
export type FlagKinds = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/**
 * holdNegatives rewrites `argv` for parseArgs: `--flag -5` becomes `--flag=-5` (and `-f -5` too,
 * when `f` is a flag's short name), and, with `positionals`, a lone `-5` becomes a held positional
 * that releaseNegatives gives back.
 */
export function holdNegatives(argv: readonly string[], flags: FlagKinds, positionals: boolean): string[] {
  const shorts = new Map(Object.entries(flags).flatMap(([name, f]) => (f.short ? [[f.short, name]] : [])));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (!NEGATIVE.test(token)) {
      out.push(token);
      continue;
    }
    const previous = out.at(-1);
    const name = previous?.startsWith('--')
      ? previous.slice(2)
      : previous && /^-[^-]$/.test(previous)
        ? shorts.get(previous.slice(1))
        : undefined;
    if (name !== undefined && !previous!.includes('=') && flags[name]?.type === 'string')
      out[out.length - 1] = `--${name}=${token}`;
    else out.push(positionals ? HELD + token : token);
  }
  return out;
}

/** releaseNegatives gives back the positional arguments holdNegatives set aside. */
export function releaseNegatives(positionals: readonly string[]): string[] {
  return positionals.map((p) => (p.startsWith(HELD) ? p.slice(1) : p));
}
