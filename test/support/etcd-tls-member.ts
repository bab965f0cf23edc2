/**
 * One etcd member serving clients over TLS with the test CA (peers in plain text on loopback),
 * optionally with `--client-cert-auth` (every client presents a certificate signed by the CA; with
 * auth enabled, etcd takes the user from its CN when no password is sent). Killed on stop, and by a
 * watchdog if the test process dies first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { watchdog } from '../../src/cli/watchdog.js';
import { createEtcdClient, type EtcdOptions } from '../../src/registry/etcd-client.js';
import { freePorts } from './free-port.js';
import type { TestCerts } from './test-certs.js';

/** TlsEtcd is a running TLS member: its client URL, the TLS options to reach it, and stop. */
export interface TlsEtcd {
  url: string;
  /** tls: CA plus (with client-cert auth) the certificate and key `certs.client` (CN arith-client). */
  tls: NonNullable<EtcdOptions['tls']>;
  stop(): void;
}

/** startTlsEtcd starts the member in `certs.dir` and resolves once it answers a TLS client (60 s at most). */
export async function startTlsEtcd(
  bin: string,
  certs: TestCerts,
  { clientCertAuth = false } = {},
): Promise<TlsEtcd> {
  const [client, peer] = await freePorts(2);
  const url = `https://127.0.0.1:${client}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const child: ChildProcess = spawn(
    bin,
    [
      ...['--name', 'tls', '--data-dir', join(certs.dir, 'data')],
      ...['--listen-client-urls', url, '--advertise-client-urls', url],
      ...['--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl],
      ...['--initial-cluster', `tls=${peerUrl}`],
      ...['--cert-file', certs.server.cert, '--key-file', certs.server.key],
      ...(clientCertAuth ? ['--trusted-ca-file', certs.ca, '--client-cert-auth'] : []),
    ],
    { stdio: 'ignore' },
  );
  const guard = child.pid === undefined ? undefined : watchdog(`kill -9 ${child.pid} 2>/dev/null`);
  const stop = (): void => {
    guard?.cancel();
    child.kill('SIGKILL');
  };
  const tls = clientCertAuth ? { ca: certs.ca, ...certs.client } : { ca: certs.ca };
  const probe = createEtcdClient({ endpoints: [url], tls, callTimeoutMs: 1_000, dialTimeoutMs: 1_000 });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode}`);
      const ok = await probe.maintenance.status().then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`etcd at ${url} did not answer over TLS within 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (error) {
    stop();
    throw error;
  } finally {
    probe.close();
  }
  return { url, tls, stop };
}
