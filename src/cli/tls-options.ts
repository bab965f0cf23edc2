import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { NodeTlsClientOptions } from '../client/transport/node-tls.js';
import type { NodeTlsOptions } from '../node/server-tls.js';
import { type OptionSpec, type OptionValues, UsageError } from './options.js';

/** NODE_TLS_SPECS are `arith-node`'s TLS settings: its certificate, key and clients' CA (mTLS). */
export const NODE_TLS_SPECS: readonly OptionSpec[] = [
  {
    flag: 'tls-cert',
    env: 'ARITH_TLS_CERT',
    type: 'string',
    help: 'PEM certificate: serve HTTPS on --port and TLS on --tcp-port',
  },
  { flag: 'tls-key', env: 'ARITH_TLS_KEY', type: 'string', help: 'PEM private key of --tls-cert' },
  {
    flag: 'tls-client-ca',
    env: 'ARITH_TLS_CLIENT_CA',
    type: 'string',
    help: 'PEM CA: require client certificates signed by it (mTLS)',
  },
];

/** CLIENT_TLS_SPECS are the `arith` commands' TLS settings for node connections (not etcd's). */
export const CLIENT_TLS_SPECS: readonly OptionSpec[] = [
  {
    flag: 'tls-ca',
    env: 'ARITH_TLS_CA',
    type: 'string',
    help: "PEM CA bundle to verify nodes' certificates",
  },
  {
    flag: 'tls-cert',
    env: 'ARITH_TLS_CERT',
    type: 'string',
    help: 'PEM client certificate, for nodes that require one',
  },
  { flag: 'tls-key', env: 'ARITH_TLS_KEY', type: 'string', help: 'PEM private key of --tls-cert' },
];

/** readPem reads one PEM file named by `--flag`; throws UsageError naming the flag if it cannot. */
function readPem(v: OptionValues, flag: string): Buffer | undefined {
  const path = v[flag] as string | undefined;
  if (path === undefined) return undefined;
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    throw new UsageError(`--${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN ')) throw new UsageError(`--${flag}: ${path} is not a PEM file`);
  return pem;
}

/** checked builds a secure context from the PEMs, so a bad pair fails at start with a clear line. */
function checked(what: string, options: tls.SecureContextOptions): void {
  try {
    tls.createSecureContext(options);
  } catch (error) {
    throw new UsageError(`${what}: ${(error as Error).message}`);
  }
}

/** pairOf reads --tls-cert and --tls-key, which go together. */
function pairOf(v: OptionValues): { cert: Buffer; key: Buffer } | undefined {
  if (Boolean(v['tls-cert']) !== Boolean(v['tls-key'])) {
    throw new UsageError('--tls-cert and --tls-key go together (env ARITH_TLS_CERT, ARITH_TLS_KEY)');
  }
  const cert = readPem(v, 'tls-cert');
  const key = readPem(v, 'tls-key');
  if (!cert || !key) return undefined;
  checked('--tls-cert/--tls-key', { cert, key });
  return { cert, key };
}

/** toNodeTls turns the node's TLS flags into NodeTlsOptions (undefined: plain text). */
export function toNodeTls(v: OptionValues): NodeTlsOptions | undefined {
  const pair = pairOf(v);
  const clientCa = readPem(v, 'tls-client-ca');
  if (clientCa && !pair) throw new UsageError('--tls-client-ca needs --tls-cert and --tls-key');
  if (!pair) return undefined;
  if (clientCa) checked('--tls-client-ca', { ca: clientCa });
  return { ...pair, ...(clientCa ? { clientCa } : {}) };
}

/** toClientTls turns a command's TLS flags into the SDK's node TLS options (undefined: defaults). */
export function toClientTls(v: OptionValues): NodeTlsClientOptions | undefined {
  const pair = pairOf(v);
  const ca = readPem(v, 'tls-ca');
  if (ca) checked('--tls-ca', { ca });
  if (!pair && !ca) return undefined;
  return { ...(ca ? { ca } : {}), ...(pair ?? {}) };
}
