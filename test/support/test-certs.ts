/**
 * Test certificates, made at test time with openssl (none are committed): a CA, a server
 * certificate for 127.0.0.1 signed by it, a client certificate signed by it, and a client
 * certificate from an unrelated CA (to be refused by a node that trusts only the first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** OPENSSL is the openssl binary, or undefined where there is none (tests then skip). */
export const OPENSSL = ['/usr/bin/openssl', '/usr/local/bin/openssl'].find((p) => existsSync(p));

/** TestCerts are PEM file paths in `dir`, plus `read(name)` for their contents. */
export interface TestCerts {
  dir: string;
  /** ca: the CA that signed `server` and `client`. */
  ca: string;
  server: { cert: string; key: string };
  client: { cert: string; key: string };
  /** stranger: a client certificate from another CA (`strangerCa`). */
  stranger: { cert: string; key: string };
  strangerCa: string;
  /** clientFor writes (once) a client certificate signed by `ca` whose CN is `cn`, e.g. an etcd user. */
  clientFor(cn: string): { cert: string; key: string };
  /** read returns a file's contents. */
  read(path: string): string;
  /** remove deletes the directory. */
  remove(): void;
}

/** makeTestCerts writes a fresh CA, server (SAN IP:127.0.0.1), client and stranger certificates. */
export function makeTestCerts(prefix = 'arith-tls-'): TestCerts {
  if (!OPENSSL) throw new Error('openssl is not installed');
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const ssl = (...args: string[]): void => {
    execFileSync(OPENSSL, args, { cwd: dir, stdio: 'ignore' });
  };
  const ca = (name: string): void =>
    ssl(
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`],
      ...['-days', '1', '-subj', `/CN=arith-test-${name}`],
    );
  const leaf = (name: string, signer: string, cn: string, ext: string): void => {
    ssl(
      ...['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`],
      ...['-subj', `/CN=${cn}`],
    );
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl(
      ...['x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.pem`, '-CAkey', `${signer}.key`],
      ...['-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`],
    );
  };
  ca('ca');
  ca('stranger-ca');
  leaf('server', 'ca', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'ca', 'arith-client', 'extendedKeyUsage=clientAuth\n');
  leaf('stranger', 'stranger-ca', 'arith-stranger', 'extendedKeyUsage=clientAuth\n');
  const pair = (name: string) => ({ cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) });
  const made = new Set<string>();
  const clientFor = (cn: string) => {
    const name = `user-${cn.replace(/[^A-Za-z0-9.-]/g, '_')}`;
    if (!made.has(name)) leaf(name, 'ca', cn, 'extendedKeyUsage=clientAuth\n');
    made.add(name);
    return pair(name);
  };
  return {
    dir,
    clientFor,
    ca: join(dir, 'ca.pem'),
    server: pair('server'),
    client: pair('client'),
    stranger: pair('stranger'),
    strangerCa: join(dir, 'stranger-ca.pem'),
    read: (path) => readFileSync(path, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** mtlsNodeArgs are `arith-node`'s flags to serve with `certs.server` and require clients signed by `certs.ca`. */
export function mtlsNodeArgs(certs: TestCerts): string[] {
  return ['--tls-cert', certs.server.cert, '--tls-key', certs.server.key, '--tls-client-ca', certs.ca];
}
