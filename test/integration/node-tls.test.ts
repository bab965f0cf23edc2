/**
 * TLS and mTLS on both of a node's ports, on real node processes: a node started with
 * `--tls-cert/--tls-key/--tls-client-ca` refuses plain-text clients and TLS clients without a
 * trusted certificate on both ports, advertises `https://` and `tls://`, and serves the SDK (TCP
 * and HTTP) and Go's `jsonrpc.NewClient` over `tls.Dial` with a client certificate. A client
 * whose CA does not verify the node gets a NodeTlsError naming the node. Certificates are made
 * now with openssl; connection limits and idle timers hold over TLS.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HttpChannel } from '../../src/client/transport/http-channel.js';
import { type Cluster, connect, isRetryable, NodeTlsError } from '../../src/index.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { buildGo, type GoBuild, hasGo, run } from '../support/go-build.js';
import { type NodeProcess, startNode } from '../support/process.js';
import { type RawSocket, rawSocket, tlsSocket } from '../support/raw-socket.js';
import { makeTestCerts, OPENSSL, type TestCerts } from '../support/test-certs.js';

const ARITH_BIN = fileURLToPath(new URL('../../dist/cli/arith.js', import.meta.url));

if (!OPENSSL && process.env.CI) throw new Error('node-tls.test needs openssl in CI');

const call = (id: number, method: string, params: unknown): string =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe.skipIf(!OPENSSL)('arith-node with --tls-cert, --tls-key and --tls-client-ca', () => {
  const fixture = new ClusterFixture(inject('etcdEndpoints'));
  let certs: TestCerts;
  let node: NodeProcess;
  let ns: string;
  let go: GoBuild | undefined;
  const pem = (path: string): string => certs.read(path);
  const withCert = () => ({ ca: pem(certs.ca), cert: pem(certs.client.cert), key: pem(certs.client.key) });

  beforeAll(async () => {
    certs = makeTestCerts();
    ns = fixture.namespace('tls');
    const args = ['--tls-cert', certs.server.cert, '--tls-key', certs.server.key];
    args.push('--tls-client-ca', certs.ca);
    const [started, built] = await Promise.all([
      startNode({ etcd: fixture.endpoints, namespace: ns, args }),
      hasGo ? buildGo('tlsclient') : undefined,
    ]);
    node = started;
    go = built;
  }, 150_000);

  afterAll(async () => {
    await fixture.close();
    go?.remove();
    certs?.remove();
  });

  /** refusedTcp: the TCP port answers a line on `socket` with nothing and closes it. */
  async function refusedTcp(socket: RawSocket): Promise<void> {
    socket.socket.write(`${call(1, 'Arith.Multiply', [7, 8])}\n`);
    await socket.closed;
    expect(socket.text()).not.toContain('"result"');
  }

  it('refuses plain text on both ports', async () => {
    await refusedTcp(await rawSocket(node.tcpPort));
    const plainHttp = await rawSocket(node.httpPort);
    plainHttp.socket.write(`POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}`);
    await plainHttp.closed;
    expect(plainHttp.text()).not.toMatch(/^HTTP\/1\.1 200/);
    await expect(fetch(`http://127.0.0.1:${node.httpPort}/healthz`)).rejects.toThrow();
  });

  it('refuses TLS clients without a certificate, or with one from another CA, on both ports', async () => {
    const ca = pem(certs.ca);
    const stranger = { ca, cert: pem(certs.stranger.cert), key: pem(certs.stranger.key) };
    for (const options of [{ ca }, stranger]) {
      const socket = await tlsSocket(node.tcpPort, options);
      // TLS 1.3: the client's side of the handshake is done; the node's verdict follows (its alert,
      // or a reset when the alert races the line written meanwhile), and no answer ever comes.
      await refusedTcp(socket);
      const agent = new Agent({ connect: options });
      const res = request(`https://127.0.0.1:${node.httpPort}/healthz`, { dispatcher: agent });
      await expect(res).rejects.toThrow();
      await agent.close();
    }
  });

  it('serves a TLS client with a certificate on both ports, and advertises https:// and tls://', async () => {
    const socket = await tlsSocket(node.tcpPort, withCert());
    socket.socket.write(`${call(7, 'Arith.Multiply', [7, 8])}\n`);
    await socket.read((t) => t.includes('\n'));
    expect(socket.lines()).toEqual([{ jsonrpc: '2.0', id: 7, result: 56 }]);
    socket.socket.destroy();
    const agent = new Agent({ connect: withCert() });
    const res = await request(`https://127.0.0.1:${node.httpPort}/`, {
      method: 'POST',
      body: call(8, 'Arith.Add', [2, 3]),
      dispatcher: agent,
    });
    expect(await res.body.json()).toEqual({ jsonrpc: '2.0', id: 8, result: 5 });
    await agent.close();
    const cluster = await fixture.open(ns);
    await cluster.ready({ nodes: 1, timeoutMs: 10_000 });
    expect(cluster.nodes()[0]?.endpoints).toEqual({
      http: `https://127.0.0.1:${node.httpPort}`,
      tcp: `tls://127.0.0.1:${node.tcpPort}`,
    });
  });

  it('serves the SDK with a client certificate over TCP and HTTP', async () => {
    for (const transport of ['tcp', 'http'] as const) {
      const cluster = await fixture.open(ns, { transport, tls: withCert() });
      await cluster.ready({ nodes: 1, timeoutMs: 10_000 });
      expect(await cluster.multiply(7n, 8n)).toBe(56n);
      const many = await Promise.all(Array.from({ length: 200 }, (_, i) => cluster.add(BigInt(i), 1n)));
      expect(many).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i + 1)));
    }
  });

  /** tlsFailure is the error of one SDK call to the TLS node with these TLS options. */
  async function tlsFailure(cluster: Cluster): Promise<unknown> {
    await cluster.ready({ nodes: 1, timeoutMs: 10_000 });
    return cluster.multiply(7n, 8n).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it('fails an SDK call with NodeTlsError, not retried, naming the node and the reason', async () => {
    for (const transport of ['tcp', 'http'] as const) {
      // Without the CA the node's certificate does not verify against the system's roots.
      const untrusting = await tlsFailure(await fixture.open(ns, { transport }));
      expect(untrusting).toBeInstanceOf(NodeTlsError);
      expect(isRetryable(untrusting)).toBe(false);
      expect(untrusting).toMatchObject({
        nodeId: node.id,
        code: expect.stringMatching(/^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/),
      });
      expect((untrusting as Error).message).toContain(`node ${node.id}`);
      expect((untrusting as Error).message).toContain('node certificate');
      // With the CA but no client certificate the node refuses us: over TLS 1.3 its alert comes
      // after our side of the handshake and may be lost to a reset, so the class may be either.
      const anonymous = await tlsFailure(await fixture.open(ns, { transport, tls: { ca: pem(certs.ca) } }));
      expect(anonymous).toBeInstanceOf(Error);
      if (anonymous instanceof NodeTlsError) expect(anonymous.reason).toContain("refused this client's");
      else expect(String(anonymous)).toMatch(/ECONNRESET|other side closed|closed by the node/);
      // A certificate for another name does not verify either.
      const named = { ...withCert(), servername: 'elsewhere.example' };
      const misnamed = await tlsFailure(await fixture.open(ns, { transport, tls: named }));
      expect(misnamed).toMatchObject({ name: 'NodeTlsError', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    }
  });

  it('fails every concurrent HTTP request on a misnamed certificate, and its channel closes', async () => {
    // undici 7 failed only some queued requests on ERR_TLS_CERT_ALTNAME_INVALID and left the
    // others, and its pool's close, waiting for good (failFastConnector routes around it).
    const channel = new HttpChannel({
      nodeId: node.id,
      url: `https://127.0.0.1:${node.httpPort}`,
      connections: 2,
      connectTimeoutMs: 2_000,
      tls: { ...withCert(), servername: 'elsewhere.example' },
    });
    const batch = (firstId: number) => ({
      calls: `{"jsonrpc":"2.0","id":${firstId},"method":"Arith.Multiply","params":[7,8]}`,
      count: 1,
      firstId,
      deadlineAt: Date.now() + 3_000,
      lone: undefined,
    });
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map((id) =>
        Promise.race([channel.exchange(batch(id)).catch((e: unknown) => e), sleep(4_000, 'no answer')]),
      ),
    );
    for (const e of outcomes)
      expect(e).toMatchObject({ name: 'NodeTlsError', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(await Promise.race([channel.close().then(() => 'closed'), sleep(3_000, 'still open')])).toBe(
      'closed',
    );
  });

  it('fails concurrent calls on a failed handshake, each with NodeTlsError, and closes at once', async () => {
    const named = { ...withCert(), servername: 'elsewhere.example' };
    for (const transport of ['tcp', 'http'] as const) {
      // Not through the fixture: closing this client is what is tested.
      const cluster = await connect({ etcd: fixture.endpoints, namespace: ns, transport, tls: named });
      await cluster.ready({ nodes: 1, timeoutMs: 10_000 });
      const calls: Array<Promise<unknown>> = [];
      for (let i = 0; i < 8; i++) {
        calls.push(cluster.multiply(7n, 8n).catch((e: unknown) => e));
        await new Promise((resolve) => setImmediate(resolve)); // each its own batch
      }
      const errors = await Promise.all(calls);
      for (const e of errors)
        expect(e).toMatchObject({ name: 'NodeTlsError', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      // undici 7 once left the other queued requests, and its pool's close, waiting for good.
      const closed = await Promise.race([cluster.close().then(() => 'closed'), sleep(5_000, 'still open')]);
      expect(closed).toBe('closed');
    }
  });

  it('serves `arith call` with --tls-ca/--tls-cert/--tls-key; without --tls-ca it says why', async () => {
    const common = [
      'call',
      'Arith.Multiply',
      '7',
      '8',
      '--etcd',
      fixture.endpoints.join(','),
      '--namespace',
      ns,
    ];
    const tlsFlags = ['--tls-ca', certs.ca, '--tls-cert', certs.client.cert, '--tls-key', certs.client.key];
    const env = { ...process.env, ETCD_ENDPOINTS: '', ARITH_NAMESPACE: '' };
    const ok = await run(process.execPath, [ARITH_BIN, ...common, ...tlsFlags], { env, timeout: 30_000 });
    expect(ok.stdout.trim()).toBe('56');
    const failed = await run(process.execPath, [ARITH_BIN, ...common], { env, timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );
    console.log(`[arith call] without --tls-ca: exit ${failed.code}: ${failed.stderr.trim()}`);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`TLS with node ${node.id} failed: node certificate`);
  });

  describe.skipIf(!hasGo)("Go's jsonrpc.NewClient over tls.Dial", () => {
    it('is served with a client certificate', async () => {
      const addr = `127.0.0.1:${node.tcpPort}`;
      const { stdout } = await run(go!.bin, [addr, certs.ca, certs.client.cert, certs.client.key], {
        timeout: 30_000,
      });
      console.log(`[go tls] with a client certificate: ${stdout.trim()}`);
      expect(JSON.parse(stdout)).toEqual({
        tlsVersion: 'TLS 1.3',
        multiply: 56,
        divide: { Quo: 3, Rem: 2 },
        concurrentOk: 100,
        errors: [],
      });
    });

    it('is refused without one', async () => {
      const failed = await run(go!.bin, [`127.0.0.1:${node.tcpPort}`, certs.ca], { timeout: 30_000 }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
      );
      console.log(`[go tls] without a client certificate: exit ${failed.code}: ${failed.stderr.trim()}`);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/^(multiply|dial): /);
    });
  });
});

describe.skipIf(!OPENSSL)('arith-node over TLS keeps its connection limits', () => {
  let certs: TestCerts;
  beforeAll(() => {
    certs = makeTestCerts();
  });
  afterAll(async () => {
    certs?.remove();
  });

  it('refuses a TLS connection past --max-connections with a readable line, and closes idle ones', async () => {
    const args = ['--tls-cert', certs.server.cert, '--tls-key', certs.server.key];
    args.push('--max-connections', '1', '--idle-timeout', '1000');
    const node = await startNode({ standalone: true, args });
    const ca = certs.read(certs.ca);
    const idle = await tlsSocket(node.tcpPort, { ca });
    const refused = await tlsSocket(node.tcpPort, { ca });
    await refused.closed;
    expect(refused.lines()).toMatchObject([{ error: { code: -32003 } }]);
    await idle.closed;
    expect(idle.text()).toBe('');
    const served = await tlsSocket(node.tcpPort, { ca });
    served.socket.write(`${call(3, 'Arith.Add', [1, 2])}\n`);
    await served.read((t) => t.includes('\n'));
    expect(served.lines()).toEqual([{ jsonrpc: '2.0', id: 3, result: 3 }]);
    served.socket.destroy();
    await node.stop();
  });
});
