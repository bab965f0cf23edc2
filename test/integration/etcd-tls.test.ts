/**
 * etcd over TLS: a real etcd serving HTTPS with a test CA, a node that registers through it with
 * `--etcd-ca`, an SDK client that discovers it, and a node without the CA that cannot register.
 * Needs the etcd binary and openssl (both present in CI); elsewhere it skips with a message.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/index.js';
import { findEtcdBinary } from '../support/etcd-binary.js';
import { freePorts } from '../support/free-port.js';
import { uniqueNamespace } from '../support/namespace.js';
import { startNode, stopAllNodes } from '../support/process.js';
import { makeTestCerts, OPENSSL, type TestCerts } from '../support/test-certs.js';

const etcdBin = findEtcdBinary();
const ready = Boolean(etcdBin && OPENSSL);
if (!ready && process.env.CI) throw new Error('etcd-tls.test needs the etcd binary and openssl in CI');

let certs: TestCerts | undefined;
let dir = '';
let etcd: ChildProcess | undefined;
let url = '';

beforeAll(async () => {
  if (!ready) return;
  certs = makeTestCerts();
  dir = certs.dir;
  const [client, peer] = await freePorts(2);
  url = `https://127.0.0.1:${client}`;
  etcd = spawn(
    etcdBin!,
    [
      ...['--name', 'tls', '--data-dir', join(dir, 'data')],
      ...['--listen-client-urls', url, '--advertise-client-urls', url],
      ...[
        '--listen-peer-urls',
        `http://127.0.0.1:${peer}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${peer}`,
      ],
      ...['--initial-cluster', `tls=http://127.0.0.1:${peer}`],
      ...['--cert-file', join(dir, 'server.pem'), '--key-file', join(dir, 'server.key')],
    ],
    { stdio: 'ignore' },
  );
  // Wait until etcd accepts TLS connections (its /health needs the CA, so poll with a client).
  const c = await connect({
    etcd: { endpoints: [url], tls: { ca: join(dir, 'ca.pem') } },
    namespace: 'probe',
    connectTimeoutMs: 20_000,
  });
  await c.close();
});

afterAll(async () => {
  await stopAllNodes();
  etcd?.kill('SIGKILL');
  certs?.remove();
});

describe.skipIf(!ready)('etcd over TLS', () => {
  it('a node registers with --etcd-ca and an SDK client discovers and calls it', async () => {
    const namespace = uniqueNamespace('tls');
    const node = await startNode({ etcd: [url], namespace, args: ['--etcd-ca', join(dir, 'ca.pem')] });
    const cluster = await connect({
      etcd: { endpoints: [url], tls: { ca: join(dir, 'ca.pem') } },
      namespace,
    });
    try {
      await cluster.ready({ nodes: 1, timeoutMs: 10_000 });
      expect(cluster.nodes().map((n) => n.id)).toEqual([node.id]);
      expect(await cluster.multiply(7n, 8n)).toBe(56n);
    } finally {
      await cluster.close();
    }
  });

  it('a node without the CA cannot register: it retries and says why, without a log storm', async () => {
    const namespace = uniqueNamespace('tls-noca');
    const node = await startNode({ etcd: [url], namespace, waitFor: 'listening' });
    await node.waitFor('registration failed; retrying', 15_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(node.logs().some((l) => l.includes('"msg":"registered"'))).toBe(false);
    expect(node.logs().filter((l) => l.includes('registration failed')).length).toBeLessThan(4);
    expect((await fetch(`${node.http}/readyz`)).status).toBe(503);
  });
});
