import { type Logger, pino } from 'pino';

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
}

/** createLogger builds a pino JSON logger: one line per event, ISO timestamps. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? 1;
  const stream =
    typeof destination === 'number' ? pino.destination({ dest: destination, sync: false }) : destination;
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
