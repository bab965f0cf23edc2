import { X509Certificate } from 'node:crypto';
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

/**
 * PEER_TLS_SPECS are `arith-node`'s TLS settings as a client of the other nodes (quorum chunks of
 * the job queue ask them): the CA that signs their certificates (default `--tls-client-ca`, the
 * CA a cluster's own certificates usually share) and a client certificate for mTLS peers.
 */
export const PEER_TLS_SPECS: readonly OptionSpec[] = [
  {
    flag: 'peer-tls-ca',
    env: 'ARITH_PEER_TLS_CA',
    type: 'string',
    help: "PEM CA bundle to verify the other nodes' certificates, for quorum chunks (default: --tls-client-ca)",
  },
  {
    flag: 'peer-tls-cert',
    env: 'ARITH_PEER_TLS_CERT',
    type: 'string',
    help: 'PEM client certificate this node shows the other nodes when they require one (mTLS)',
  },
  {
    flag: 'peer-tls-key',
    env: 'ARITH_PEER_TLS_KEY',
    type: 'string',
    help: 'PEM private key of --peer-tls-cert',
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
export function readPem(v: OptionValues, flag: string): Buffer | undefined {
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
export function checked(what: string, options: tls.SecureContextOptions): void {
  try {
    tls.createSecureContext(options);
  } catch (error) {
    throw new UsageError(`${what}: ${(error as Error).message}`);
  }
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * checkedCa checks a CA bundle read from `--flag`: it holds at least one certificate and every
 * one parses (tls.createSecureContext skips certificates it cannot read, so a junk CA would be
 * taken and every peer then refused); throws UsageError naming the flag.
 */
export function checkedCa(flag: string, pem: Buffer): Buffer {
  const blocks = pem.toString('latin1').match(CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new UsageError(`--${flag}: the file holds no CERTIFICATE block`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new UsageError(`--${flag}: certificate ${i + 1} does not parse: ${(error as Error).message}`);
    }
  });
  checked(`--${flag}`, { ca: pem });
  return pem;
}

/** pairOf reads --<prefix>tls-cert and --<prefix>tls-key, which go together. */
function pairOf(v: OptionValues, prefix = ''): { cert: Buffer; key: Buffer } | undefined {
  const certFlag = `${prefix}tls-cert`;
  const keyFlag = `${prefix}tls-key`;
  if (Boolean(v[certFlag]) !== Boolean(v[keyFlag])) {
    const env = (flag: string) => `ARITH_${flag.toUpperCase().replaceAll('-', '_')}`;
    throw new UsageError(
      `--${certFlag} and --${keyFlag} go together (env ${env(certFlag)}, ${env(keyFlag)})`,
    );
  }
  const cert = readPem(v, certFlag);
  const key = readPem(v, keyFlag);
  if (!cert || !key) return undefined;
  checkedPair(certFlag, cert, keyFlag, key);
  return { cert, key };
}

/** checkedPair checks a certificate (each block parses) and its key (they match); throws UsageError naming the flags. */
export function checkedPair(certFlag: string, cert: Buffer, keyFlag: string, key: Buffer): void {
  checkedCa(certFlag, cert);
  checked(`--${certFlag}/--${keyFlag}`, { cert, key });
}

/** toNodeTls turns the node's TLS flags into NodeTlsOptions (undefined: plain text). */
export function toNodeTls(v: OptionValues): NodeTlsOptions | undefined {
  const pair = pairOf(v);
  const clientCa = readPem(v, 'tls-client-ca');
  if (clientCa && !pair) throw new UsageError('--tls-client-ca needs --tls-cert and --tls-key');
  if (!pair) return undefined;
  if (clientCa) checkedCa('tls-client-ca', clientCa);
  return { ...pair, ...(clientCa ? { clientCa } : {}) };
}

/** toClientTls turns a command's TLS flags into the SDK's node TLS options (undefined: defaults). */
export function toClientTls(v: OptionValues): NodeTlsClientOptions | undefined {
  const pair = pairOf(v);
  const ca = readPem(v, 'tls-ca');
  if (ca) checkedCa('tls-ca', ca);
  if (!pair && !ca) return undefined;
  return { ...(ca ? { ca } : {}), ...(pair ?? {}) };
}

/**
 * toPeerTls turns the node's peer TLS flags into the SDK's node TLS options for its client of the
 * other nodes (undefined: defaults, the system's roots): `--peer-tls-ca`, else `clientCa`, the
 * `--tls-client-ca` toNodeTls read and checked (not read again: the CA checked is the CA used).
 */
export function toPeerTls(
  v: OptionValues,
  clientCa?: NodeTlsOptions['clientCa'],
): NodeTlsClientOptions | undefined {
  const pair = pairOf(v, 'peer-');
  const peerCa = readPem(v, 'peer-tls-ca');
  if (peerCa) checkedCa('peer-tls-ca', peerCa);
  const ca = peerCa ?? clientCa;
  if (!pair && !ca) return undefined;
  return { ...(ca ? { ca } : {}), ...(pair ?? {}) };
}
