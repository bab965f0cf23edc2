import { type Cluster, connect } from '../client/cluster.js';
import { createEtcdClient, type EtcdOptions } from '../registry/etcd-client.js';
import { etcdIdentity } from '../registry/etcd-user.js';
import { type EtcdDenial, etcdDenial } from '../util/retry-etcd.js';
import { resultsEtcdOf, toEtcdOptions } from './etcd-options.js';
import type { OptionSpec, OptionValues } from './options.js';
import { toClientTls } from './tls-options.js';

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

/** EtcdAccessError: etcd refused the credentials or a permission; the CLI prints one line and exits 1. */
export class EtcdAccessError extends Error {
  override readonly name = 'EtcdAccessError';
}

/**
 * etcdAccessError turns an etcd refusal into an EtcdAccessError naming the user, the key prefix and
 * what to do, or returns undefined when `error` is no refusal.
 */
export function etcdAccessError(
  error: unknown,
  values: OptionValues,
  prefix?: string,
): EtcdAccessError | undefined {
  if (error instanceof EtcdAccessError) return error;
  const denial: EtcdDenial | undefined = etcdDenial(error);
  if (!denial) return undefined;
  const ns = values.namespace as string;
  const identity = etcdIdentity({
    username: values['etcd-user'] as string | undefined,
    tls: { cert: values['etcd-cert'] as string | undefined },
  });
  const user = identity
    ? `user ${identity.name}`
    : 'no user (--etcd-user, or an --etcd-cert whose CN is one)';
  const endpoints = (values.etcd as string[] | undefined)?.join(', ') ?? '';
  const where = prefix ?? `/${ns}/`;
  const fromCert = identity?.from === 'certificate' ? ' (the user is the CN of --etcd-cert)' : '';
  const fix =
    denial === 'authentication failed'
      ? 'check --etcd-user / --etcd-password (env ETCD_USERNAME, ETCD_PASSWORD)'
      : `the user's role lacks access to ${where}${fromCert}; \`arith etcd roles --namespace ${ns}\` prints the roles`;
  return new EtcdAccessError(`etcd ${denial} for ${user} on ${where} at ${endpoints}: ${fix}`, {
    cause: error,
  });
}

/**
 * openCluster connects the SDK with the command's etcd and node TLS settings; if etcd can't be read it throws
 * EtcdUnreachableError naming the endpoints tried and what to do, or EtcdAccessError when etcd refused
 * the credentials or the read of `/<ns>/nodes/`.
 */
export async function openCluster(values: OptionValues, signal: AbortSignal): Promise<Cluster> {
  const etcd = toEtcdOptions(values);
  const tls = toClientTls(values);
  const prefix = `/${values.namespace as string}/nodes/`;
  // Discovery retries every error until the connect timeout; one plain read beside it finds a
  // refusal (wrong password, missing permission) at once and stops the connect.
  const refused = new AbortController();
  const probe = createEtcdClient(etcd);
  const denied = probe
    .getAll()
    .prefix(prefix)
    .count()
    .then(
      () => undefined,
      (error: unknown) => etcdAccessError(error, values, prefix),
    );
  void denied.then((access) => access && refused.abort(access));
  const results = resultsEtcdOf(values, etcd).resultsEtcd;
  const resultsProbe = results && probeResultsEtcd(values, results);
  try {
    const cluster = await connect({
      etcd,
      ...(tls ? { tls } : {}),
      ...resultsEtcdOf(values, etcd),
      ...(typeof values['etcd-quota'] === 'number' ? { etcdQuotaBytes: values['etcd-quota'] } : {}),
      namespace: values.namespace as string,
      connectTimeoutMs: Math.min(5_000, (values['etcd-timeout'] as number) ?? 5_000),
      signal: AbortSignal.any([signal, refused.signal]),
    });
    const unreachable = await resultsProbe;
    if (unreachable) {
      await cluster.close();
      throw unreachable;
    }
    return cluster;
  } catch (error) {
    if (error instanceof EtcdUnreachableError || error instanceof EtcdAccessError) throw error;
    if (signal.aborted) throw error;
    const access = refused.signal.aborted ? await denied : etcdAccessError(error, values, prefix);
    if (access) throw access;
    throw new EtcdUnreachableError(
      `cannot reach etcd at ${etcd.endpoints.join(', ')}: start one (e.g. \`npm start\`) or point --etcd / ETCD_ENDPOINTS at it`,
      { cause: error },
    );
  } finally {
    probe.close();
  }
}

/**
 * probeResultsEtcd reads `/<ns>/jobs/` (a count) from the `--results-etcd` endpoints once; resolves
 * with the error to throw when they cannot be reached (EtcdUnreachableError naming them) or refuse
 * (EtcdAccessError), else undefined.
 */
async function probeResultsEtcd(
  values: OptionValues,
  results: EtcdOptions,
): Promise<EtcdUnreachableError | EtcdAccessError | undefined> {
  const prefix = `/${values.namespace as string}/jobs/`;
  const client = createEtcdClient(results);
  try {
    await client.getAll().prefix(prefix).count();
    return undefined;
  } catch (error) {
    return (
      etcdAccessError(error, { ...values, etcd: results.endpoints }, prefix) ??
      new EtcdUnreachableError(
        `cannot reach the results etcd at ${results.endpoints.join(', ')}: point --results-etcd / ARITH_RESULTS_ETCD at a running etcd`,
        { cause: error },
      )
    );
  } finally {
    client.close();
  }
}
