#!/usr/bin/env node
import './quiet-warnings.js';
import { VERSION } from '../version.js';
import { type Command, etcdAccessError, type Io } from './command.js';
import { COMMANDS } from './commands/index.js';
import { ETCD_SPECS } from './etcd-options.js';
import { formatHelp, type OptionSpec, type OptionValues, parseOptions, UsageError } from './options.js';
import { CLIENT_TLS_SPECS } from './tls-options.js';

const COMMON: readonly OptionSpec[] = [
  { flag: 'json', type: 'boolean', help: 'machine-readable JSON output' },
  { flag: 'debug', type: 'boolean', help: 'show stack traces on errors' },
  { flag: 'help', short: 'h', type: 'boolean', help: 'show help' },
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n');
  return `arith ${VERSION}: use an arith-cluster from the command line.

Usage: arith <command> [options]

Commands:
${list}

Run 'arith <command> --help' for a command's flags. Common etcd and node TLS settings (flags or env):
${formatHelp('', [...ETCD_SPECS, ...CLIENT_TLS_SPECS])
  .split('\n')
  .slice(3)
  .join('\n')}`;
}

function specsOf(command: Command): OptionSpec[] {
  return [...command.specs, ...(command.needsEtcd ? [...ETCD_SPECS, ...CLIENT_TLS_SPECS] : []), ...COMMON];
}

// A closed stdout (e.g. `| head`, or a pipe whose reader died on Ctrl-C) must not crash a command
// that is still cleaning up.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

async function main(argv: string[]): Promise<number> {
  const io: Io = {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    tty: Boolean(process.stdout.isTTY),
  };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  const debug = rest.includes('--debug');
  let parsed: OptionValues | undefined;
  try {
    if (!command)
      throw new UsageError(`unknown command '${name}'; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    const specs = specsOf(command);
    const { values, positionals } = parseOptions(specs, rest, process.env, { allowPositionals: true });
    parsed = values;
    if (values.help) {
      io.out(formatHelp(`${command.summary}\n\nUsage: ${command.usage}`, specs));
      return 0;
    }
    const controller = new AbortController();
    let first = 0;
    // The first signal stops the command cleanly. npm and the terminal may deliver the same Ctrl-C
    // twice within moments; a second one more than a second later exits at once.
    const stop = (signal: NodeJS.Signals): void => {
      if (!first) {
        first = Date.now();
        controller.abort(new Error('interrupted'));
      } else if (Date.now() - first > 1_000) process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return await command.run(values, positionals, io, controller.signal);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`arith: ${error.message}`);
      io.err(command ? `Usage: ${command.usage}` : "Try 'arith --help'.");
      return 2;
    }
    const err = (parsed && etcdAccessError(error, parsed)) || (error as Error);
    io.err(debug ? (err.stack ?? String(err)) : err.message || String(err));
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // The etcd client keeps handles open after close(); exit once output is flushed.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (error: unknown) => {
    process.stderr.write(`arith: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
