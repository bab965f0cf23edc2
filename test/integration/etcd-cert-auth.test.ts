/**
 * etcd authentication by client certificate: one member with client TLS and `--client-cert-auth`,
 * auth enabled (root), the roles of `arith etcd roles --apply`; every process then logs in by the CN
 * of its certificate and sends no password. A node whose CN is the worker user registers and works a
 * queued job; a client whose CN is the client user stores results; a node presenting the client
 * user's certificate cannot register, and a client presenting the node user's cannot store, each
 * said in one line that names the user and the prefix. Needs the etcd binary and openssl (CI has
 * both); elsewhere it skips with a message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArith } from '../support/cli.js';
import { findEtcdBinary } from '../support/etcd-binary.js';
import { startTlsEtcd, type TlsEtcd } from '../support/etcd-tls-member.js';
import { uniqueNamespace } from '../support/namespace.js';
import { startNode, stopAllNodes } from '../support/process.js';
import { makeTestCerts, OPENSSL, type TestCerts } from '../support/test-certs.js';

const bin = findEtcdBinary();
const ready = Boolean(bin && OPENSSL);
if (!ready && process.env.CI) throw new Error('etcd-cert-auth.test needs the etcd binary and openssl in CI');
if (!ready) console.log('[etcd-cert-auth] skipped: needs the etcd binary and openssl');

const ns = uniqueNamespace('certauth');
let certs: TestCerts | undefined;
let etcd: TlsEtcd | undefined;
const failures: string[] = [];

/** as returns the etcd flags of a process that logs in as `user` by its certificate's CN (no --etcd-user). */
function as(user: string): string[] {
  const pair = certs!.clientFor(user);
  return ['--etcd', etcd!.url, '--etcd-ca', certs!.ca, '--etcd-cert', pair.cert, '--etcd-key', pair.key];
}

/** arith runs the CLI with `args` in the test's namespace. */
const arith = (...args: string[]) => runArith([...args, '--namespace', ns], { timeoutMs: 60_000 });

beforeAll(async () => {
  if (!ready) return;
  certs = makeTestCerts('arith-etcd-cert-auth-');
  etcd = await startTlsEtcd(bin!, certs, { clientCertAuth: true });
  // Root logs in by password over the same mutual TLS (a password wins over the certificate's CN).
  // `--enable-auth` creates root and turns auth on; run again (auth now on) it only applies the roles.
  const tls = ['--etcd-ca', certs.ca, '--etcd-cert', certs.client.cert, '--etcd-key', certs.client.key];
  for (const expectEnabled of [true, false]) {
    const applied = await arith(
      ...['etcd', 'roles', '--apply', '--enable-auth', '--etcd', etcd.url, ...tls],
      ...['--etcd-user', 'root', '--etcd-password', 'root-pw'],
    );
    if (applied.code !== 0) throw new Error(`arith etcd roles --apply failed: ${applied.stderr}`);
    applied.stdout.includes('auth enabled (root user root)') === expectEnabled ||
      failures.push(`--enable-auth run ${expectEnabled ? 1 : 2} printed: ${applied.stdout}`);
  }
}, 120_000);

afterAll(async () => {
  await stopAllNodes();
  etcd?.stop();
  certs?.remove();
});

describe.skipIf(!ready)('etcd with client-certificate authentication (CN as user)', () => {
  it('arith etcd roles --apply --enable-auth turns auth on once and reapplies harmlessly; a CN that is no user is refused by name', async () => {
    expect(failures).toEqual([]);
    const noUser = await arith('nodes', ...as('arith-no-such-user'));
    console.log(`[etcd-cert-auth] a CN that is no etcd user: ${noUser.stderr.trim()}`);
    expect(noUser.code).toBe(1);
    expect(noUser.stderr).not.toContain('cannot reach etcd');
  });

  it('a node whose CN is the worker user registers without a password, serves, and works a queued job', async () => {
    const node = await startNode({ namespace: ns, args: as(`${ns}-worker`) });
    await node.waitFor('queue worker started', 30_000);
    const nodes = await arith('nodes', '--json', ...as(`${ns}-client`));
    expect(nodes.stderr).toBe('');
    expect(nodes.stdout).toContain(node.id);
    const submitted = await arith(
      ...['submit', '--generate', '200', '--job', 'cert-job', '--wait', '--json'],
      ...as(`${ns}-client`),
    );
    expect(submitted.stderr).not.toMatch(/denied|authentication failed/); // its progress lines go there
    expect(submitted.code).toBe(0);
    const status = JSON.parse(submitted.stdout) as { status: string; stored: number; total: number };
    console.log(`[etcd-cert-auth] queued job under CN auth: ${JSON.stringify(status)}`);
    expect(status).toMatchObject({ status: 'done', total: 200, stored: 200 });
    expect(node.logs().some((l) => /denied|authentication failed/.test(l))).toBe(false);
  });

  it('a client whose CN is the client user stores a result and reads it back', async () => {
    const stored = await arith('call', 'Arith.Multiply', '6', '7', '--store', 'cn-k1', ...as(`${ns}-client`));
    expect(stored.stderr).toBe('');
    expect(stored.code).toBe(0);
    const read = await arith('results', 'get', 'cn-k1', '--json', ...as(`${ns}-client`));
    expect(read.code).toBe(0);
    expect(read.stdout).toContain('42');
  });

  it("a node presenting the client user's certificate cannot register: one clear line, unready", async () => {
    const bad = await startNode({
      namespace: ns,
      args: [...as(`${ns}-client`), '--no-worker'],
      waitFor: 'listening',
    });
    const line = await bad.waitFor(/etcd permission denied for user/, 20_000);
    console.log(`[etcd-cert-auth] refused node logs: ${JSON.parse(line).msg}`);
    expect(line).toContain(`etcd permission denied for user ${ns}-client on /${ns}/nodes/`);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(bad.logs().filter((l) => l.includes('permission denied for user')).length).toBe(1);
    expect(bad.logs().some((l) => l.includes('"msg":"registered"'))).toBe(false);
    expect((await fetch(`${bad.http}/readyz`)).status).toBe(503);
    await bad.stop();
  });

  it("a client presenting the node user's certificate cannot store results: says so, names user and prefix, exits 1", async () => {
    const refused = await arith('call', 'Arith.Multiply', '6', '7', '--store', 'cn-k2', ...as(`${ns}-node`));
    console.log(`[etcd-cert-auth] refused client prints: ${refused.stderr.trim()}`);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`etcd permission denied for user ${ns}-node on /${ns}/`);
    expect(refused.stderr).toContain('the user is the CN of --etcd-cert');
    expect(refused.stderr).not.toContain('cannot reach etcd');
  });
});
