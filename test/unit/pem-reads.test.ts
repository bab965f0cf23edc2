/**
 * Each PEM file is read once per start: the CLI reads it, checks that buffer and hands the same
 * buffer to every etcd client, identity lookup and peer client, so the PEM checked is the PEM used
 * even when the file is replaced after the check.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ETCD_SPECS, resultsEtcdOf, toEtcdOptions } from '../../src/cli/etcd-options.js';
import { parseNodeCommand } from '../../src/cli/node-config.js';
import { parseOptions } from '../../src/cli/options.js';
import { createEtcdClient, type EtcdOptions } from '../../src/registry/etcd-client.js';
import { etcdIdentity } from '../../src/registry/etcd-user.js';
import { makeTestCerts, OPENSSL } from '../support/test-certs.js';

/** reads counts readFileSync calls per path (string paths only). */
const reads = vi.hoisted(() => new Map<string, number>());

vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  const readFileSync = ((path: unknown, ...rest: unknown[]) => {
    if (typeof path === 'string') reads.set(path, (reads.get(path) ?? 0) + 1);
    return (fs.readFileSync as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readFileSync;
  return { ...fs, readFileSync, default: { ...fs, readFileSync } };
});

/** useEtcd does what a start does with etcd options: a client each for registry and results, the users. */
function useEtcd(etcd: EtcdOptions, results: EtcdOptions | undefined): void {
  for (const options of [etcd, ...(results ? [results] : [])]) {
    createEtcdClient(options).close();
    etcdIdentity(options);
  }
}

describe.skipIf(!OPENSSL)('PEM files are read once per start', () => {
  const certs = OPENSSL ? makeTestCerts() : undefined;
  afterAll(() => certs?.remove());
  beforeEach(() => reads.clear());

  it('arith: --etcd-ca, --etcd-cert and --etcd-key once each, whatever the clients', () => {
    const c = certs!;
    const cert = join(c.dir, 'replaced.pem');
    copyFileSync(c.client.cert, cert);
    const checked = c.read(cert);
    reads.clear();
    const argv = ['--etcd-ca', c.ca, '--etcd-cert', cert, '--etcd-key', c.client.key];
    const { values } = parseOptions(ETCD_SPECS, [...argv, '--results-etcd', '127.0.0.1:2'], {});
    const etcd = toEtcdOptions(values);
    // Replaced after the check: what the clients use is still what was checked.
    writeFileSync(cert, 'not a certificate');
    useEtcd(etcd, resultsEtcdOf(values, etcd).resultsEtcd);
    expect(etcd.tls?.cert?.toString()).toBe(checked);
    expect(etcdIdentity(etcd)).toEqual({ name: 'arith-client', from: 'certificate' });
    for (const path of [c.ca, cert, c.client.key]) expect(reads.get(path), path).toBe(1);
  });

  it('arith-node: etcd PEMs, --tls-cert, --tls-key and --tls-client-ca once each', () => {
    const c = certs!;
    const clientCa = join(c.dir, 'client-ca.pem');
    copyFileSync(c.ca, clientCa);
    const caPem = c.read(clientCa);
    reads.clear();
    const run = parseNodeCommand(
      [
        ...['--etcd-ca', c.ca, '--etcd-cert', c.client.cert, '--etcd-key', c.client.key],
        ...['--results-etcd', '127.0.0.1:2', '--tls-client-ca', clientCa],
        ...['--tls-cert', c.server.cert, '--tls-key', c.server.key],
      ],
      {},
    );
    if (run.kind !== 'run') throw new Error(`parsed as ${run.kind}`);
    const { etcd, resultsEtcd, peerTls } = run.options;
    expect(resultsEtcd).toBeDefined();
    useEtcd(etcd!, resultsEtcd);
    expect(peerTls?.ca?.toString()).toBe(caPem);
    const paths = [c.ca, c.client.cert, c.client.key, clientCa, c.server.cert, c.server.key];
    for (const path of paths) expect(reads.get(path), path).toBe(1);
  });
});
