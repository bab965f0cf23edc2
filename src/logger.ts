import { createRequire } from 'node:module';
import { type Logger, pino } from 'pino';
import type PinoPretty from 'pino-pretty';

/** pino-pretty is loaded only for a terminal: a node logging JSON never pays for it (about 1 MB of RSS). */
const require = createRequire(import.meta.url);

export type { Logger };

/** LoggerOptions choose the level and the destination of pino JSON logs. */
export interface LoggerOptions {
  level?: string;
  /** name: the component emitting (e.g. `arith-node`). */
  name?: string;
  /** base: fields on every line (e.g. `{ nodeId }`). */
  base?: Record<string, unknown>;
  /** destination: a file descriptor (default 1, stdout) or a writable stream. */
  destination?: number | NodeJS.WritableStream;
  /** pretty: human-readable colored lines (pino-pretty) instead of JSON; default: stdout is a terminal and LOG_FORMAT is not `json`. */
  pretty?: boolean;
}

/** createLogger builds a pino logger: JSON lines with ISO timestamps, or pretty lines on a terminal. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? 1;
  const wantPretty =
    options.pretty ??
    (destination === 1 && Boolean(process.stdout.isTTY) && process.env.LOG_FORMAT !== 'json');
  const stream = wantPretty
    ? (require('pino-pretty') as typeof PinoPretty)({
        colorize: true,
        translateTime: 'HH:MM:ss.l',
        ignore: 'pid,hostname',
        sync: true,
      })
    : typeof destination === 'number'
      ? pino.destination({ dest: destination, sync: false })
      : destination;
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      ...(options.name ? { name: options.name } : {}),
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}

/** silentLogger is a logger that writes nothing, for library users who pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
