import type { EtcdOptions } from '../registry/etcd-client.js';
import { isValidName } from '../registry/keys.js';
import { endpointProblem } from './addresses.js';
import { type OptionSpec, type OptionValues, UsageError } from './options.js';
import { checkedCa, checkedPair, readPem } from './tls-options.js';

const endpoint = /^(https?:\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

/** ETCD_SPECS are the etcd settings every command shares (flags and env variables). */
export const ETCD_SPECS: readonly OptionSpec[] = [
  {
    flag: 'etcd',
    env: 'ETCD_ENDPOINTS',
    type: 'list',
    pattern: endpoint,
    check: endpointProblem,
    default: ['127.0.0.1:2379'],
    help: 'etcd endpoints, comma-separated host:port or URLs',
  },
  {
    flag: 'results-etcd',
    env: 'ARITH_RESULTS_ETCD',
    type: 'list',
    pattern: endpoint,
    check: endpointProblem,
    help: 'etcd endpoints for results and the job queue (default: --etcd; TLS and auth as --etcd)',
  },
  {
    flag: 'namespace',
    env: 'ARITH_NAMESPACE',
    type: 'string',
    default: 'arith',
    help: 'key namespace: nodes live under /<namespace>/nodes/',
  },
  {
    flag: 'etcd-ca',
    env: 'ETCD_CA_FILE',
    type: 'string',
    help: 'PEM CA bundle to verify etcd (turns on TLS)',
  },
  { flag: 'etcd-cert', env: 'ETCD_CERT_FILE', type: 'string', help: 'PEM client certificate for etcd' },
  { flag: 'etcd-key', env: 'ETCD_KEY_FILE', type: 'string', help: 'PEM client key for etcd' },
  { flag: 'etcd-user', env: 'ETCD_USERNAME', type: 'string', help: 'etcd username' },
  { flag: 'etcd-password', env: 'ETCD_PASSWORD', type: 'string', help: 'etcd password' },
  {
    flag: 'etcd-timeout',
    env: 'ETCD_TIMEOUT_MS',
    type: 'int',
    min: 100,
    max: 600_000,
    default: 5000,
    help: 'deadline of every etcd call, ms',
  },
];

/** toEtcdOptions turns validated values into EtcdOptions; throws UsageError on inconsistent TLS/auth. */
export function toEtcdOptions(v: OptionValues): EtcdOptions {
  const namespace = v.namespace as string;
  if (!isValidName(namespace)) {
    throw new UsageError(
      `--namespace: letters, digits, '.', '_' and '-' only (got ${JSON.stringify(namespace)})`,
    );
  }
  if (Boolean(v['etcd-cert']) !== Boolean(v['etcd-key'])) {
    throw new UsageError('--etcd-cert and --etcd-key go together (env ETCD_CERT_FILE, ETCD_KEY_FILE)');
  }
  if (v['etcd-password'] !== undefined && v['etcd-user'] === undefined) {
    throw new UsageError('--etcd-password needs --etcd-user (env ETCD_USERNAME)');
  }
  // Read and parsed now, so that a missing or bad file stops the command (and arith-node before it
  // listens) with the flag's name, rather than as a connection error later.
  const ca = readPem(v, 'etcd-ca');
  if (ca) checkedCa('etcd-ca', ca);
  const cert = readPem(v, 'etcd-cert');
  const key = readPem(v, 'etcd-key');
  if (cert && key) checkedPair('etcd-cert', cert, 'etcd-key', key);
  // The PEMs checked are the PEMs used: every client gets these buffers, no file is read again.
  const tls = ca || cert ? { ca, cert, key } : undefined;
  return {
    endpoints: v.etcd as string[],
    tls,
    username: v['etcd-user'] as string | undefined,
    password: v['etcd-password'] as string | undefined,
    callTimeoutMs: v['etcd-timeout'] as number,
  };
}

/** resultsEtcdOf is `{ resultsEtcd }` when `--results-etcd` is given (TLS and auth as `--etcd`), else `{}`. */
export function resultsEtcdOf(v: OptionValues, etcd: EtcdOptions): { resultsEtcd?: EtcdOptions } {
  const endpoints = v['results-etcd'] as string[] | undefined;
  return endpoints ? { resultsEtcd: { ...etcd, endpoints } } : {};
}
