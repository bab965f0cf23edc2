import { type Cluster, connect } from '../client/cluster.js';
import { resultsEtcdOf, toEtcdOptions } from './etcd-options.js';
import type { OptionSpec, OptionValues } from './options.js';

/** Io is where a command writes, so tests can capture it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** tty: stdout is a terminal (progress bars, tables) rather than a pipe (plain lines). */
  tty: boolean;
}

/** Command is one `arith` subcommand: its flags, help and what it does (resolving to an exit code). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  specs: readonly OptionSpec[];
  /** needsEtcd: the common etcd flags apply. */
  needsEtcd: boolean;
  run(values: OptionValues, positionals: string[], io: Io, signal: AbortSignal): Promise<number>;
}

/** EtcdUnreachableError: the first read from etcd failed; the CLI prints one line and exits 1. */
export class EtcdUnreachableError extends Error {
  override readonly name = 'EtcdUnreachableError';
}

/**
 * openCluster connects the SDK with the command's etcd settings; if etcd can't be read it throws
 * EtcdUnreachableError naming the endpoints tried and what to do.
 */
export async function openCluster(values: OptionValues, signal: AbortSignal): Promise<Cluster> {
  const etcd = toEtcdOptions(values);
  try {
    return await connect({
      etcd,
      ...resultsEtcdOf(values, etcd),
      ...(typeof values['etcd-quota'] === 'number' ? { etcdQuotaBytes: values['etcd-quota'] } : {}),
      namespace: values.namespace as string,
      connectTimeoutMs: Math.min(5_000, (values['etcd-timeout'] as number) ?? 5_000),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new EtcdUnreachableError(
      `cannot reach etcd at ${etcd.endpoints.join(', ')}: start one (e.g. \`npm start\`) or point --etcd / ETCD_ENDPOINTS at it`,
      { cause: error },
    );
  }
}
