/**
 * etcd with authentication on: `arith etcd roles --apply` creates the node, worker and client roles
 * and users of a namespace; a node with client credentials cannot register, a client with node
 * credentials cannot store results, and a wrong password says so (no "cannot reach etcd"). A node
 * with the worker user's credentials (node and worker roles) works a queued job to the end; a node
 * with the node role only says once that its queue worker is refused, and how to fix it, and serves.
 * Needs the etcd binary (CI has it); elsewhere it skips with a message.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient } from '../../src/registry/etcd-client.js';
import { findEtcdBinary, startBinaryMembers } from '../support/etcd-binary.js';
import { memberSpecs } from '../support/etcd-common.js';
import { uniqueNamespace } from '../support/namespace.js';
import { startNode, stopAllNodes } from '../support/process.js';

const ARITH_BIN = fileURLToPath(new URL('../../dist/cli/arith.js', import.meta.url));
const bin = findEtcdBinary();
if (!bin && process.env.CI) throw new Error('etcd-auth.test needs the etcd binary in CI');
if (!bin) console.log('[etcd-auth] skipped: no etcd binary on PATH');

const cleanups: Array<() => unknown> = [];
const ns = uniqueNamespace('auth');
const nodeUser = ['--etcd-user', `${ns}-node`, '--etcd-password', 'node-pw'];
const clientUser = ['--etcd-user', `${ns}-client`, '--etcd-password', 'client-pw'];
const workerUser = ['--etcd-user', `${ns}-worker`, '--etcd-password', 'worker-pw'];
let url = '';

/** arith runs the CLI against the test's etcd and resolves with its exit code and output. */
function arith(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [ARITH_BIN, ...args, '--etcd', url, '--namespace', ns],
      { env: { ...process.env, ETCD_ENDPOINTS: '', ETCD_USERNAME: '', ETCD_PASSWORD: '' }, timeout: 30_000 },
      (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

beforeAll(async () => {
  if (!bin) return;
  const [member] = await startBinaryMembers(bin, await memberSpecs(1));
  if (!member) throw new Error('no etcd member started');
  cleanups.push(() => member.remove());
  url = member.clientUrl;
  const admin = createEtcdClient({ endpoints: [url] });
  await admin.user('root').create('root-pw');
  await admin.user('root').addRole('root');
  await admin.auth.authEnable();
  admin.close();
});

afterAll(async () => {
  await stopAllNodes();
  for (const fn of cleanups.reverse()) await fn();
});

describe.skipIf(!bin)('etcd with auth enabled', () => {
  it('arith etcd roles prints the etcdctl commands of the three roles', async () => {
    const { code, out } = await arith('etcd', 'roles');
    expect(code).toBe(0);
    expect(out).toContain(`etcdctl role grant-permission ${ns}-node --prefix=true readwrite /${ns}/nodes/`);
    expect(out).toContain(`etcdctl role grant-permission ${ns}-client --prefix=true read /${ns}/nodes/`);
    expect(out).toContain(
      `etcdctl role grant-permission ${ns}-client --prefix=true readwrite /${ns}/results/`,
    );
    expect(out).toContain(`etcdctl role grant-permission ${ns}-client --prefix=true readwrite /${ns}/jobs/`);
    expect(out).toContain(`etcdctl user grant-role ${ns}-node ${ns}-node`);
    expect(out).toContain(`etcdctl role grant-permission ${ns}-worker --prefix=true readwrite /${ns}/queue/`);
    expect(out).toContain(`etcdctl user grant-role ${ns}-worker ${ns}-node`);
    expect(out).toContain(`etcdctl user grant-role ${ns}-worker ${ns}-worker`);
  });

  it('arith etcd roles --apply creates them with root credentials, twice without harm', async () => {
    const apply = ['etcd', 'roles', '--apply', '--etcd-user', 'root', '--etcd-password', 'root-pw'];
    const passwords = [
      ...['--node-password', 'node-pw', '--client-password', 'client-pw'],
      ...['--worker-password', 'worker-pw'],
    ];
    for (let i = 0; i < 2; i++) {
      const { code, out, err } = await arith(...apply, ...passwords);
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(out).toContain(`user ${ns}-client: role ${ns}-client`);
      expect(out).toContain(`user ${ns}-worker: role ${ns}-node, ${ns}-worker`);
    }
  });

  it('a wrong password says authentication failed, names the user, and exits 1', async () => {
    const { code, err } = await arith('nodes', '--etcd-user', `${ns}-client`, '--etcd-password', 'wrong');
    expect(code).toBe(1);
    expect(err).toContain(`etcd authentication failed for user ${ns}-client on /${ns}/nodes/`);
    expect(err).not.toContain('cannot reach etcd');
  });

  it('a node with client credentials cannot register: it says so once and keeps retrying', async () => {
    const bad = await startNode({ etcd: [url], namespace: ns, args: clientUser, waitFor: 'listening' });
    const line = await bad.waitFor(/etcd permission denied for user/, 15_000);
    expect(line).toContain(`etcd permission denied for user ${ns}-client on /${ns}/nodes/`);
    // A node with node credentials registers meanwhile; the refused one is still refused, logged once.
    const good = await startNode({ etcd: [url], namespace: ns, args: nodeUser });
    await good.waitFor('registered');
    expect(bad.logs().filter((l) => l.includes('permission denied for user')).length).toBe(1);
    expect(bad.logs().some((l) => l.includes('"msg":"registered"'))).toBe(false);
    expect((await fetch(`${bad.http}/readyz`)).status).toBe(503);
    await bad.stop();
  });

  it('a client with node credentials cannot store results; with client credentials it can', async () => {
    const refused = await arith('call', 'Arith.Multiply', '6', '7', '--store', 'k1', ...nodeUser);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`etcd permission denied for user ${ns}-node on /${ns}/`);
    const stored = await arith('call', 'Arith.Multiply', '6', '7', '--store', 'k1', ...clientUser);
    expect(stored.err).toBe('');
    expect(stored.code).toBe(0);
    const read = await arith('results', 'get', 'k1', '--json', ...clientUser);
    expect(read.code).toBe(0);
    expect(read.out).toContain('42');
  });

  it('a node with the worker user (node and worker roles) works a queued job to completion', async () => {
    const node = await startNode({ etcd: [url], namespace: ns, args: workerUser });
    await node.waitFor('queue worker started', 30_000);
    const submitted = await arith(
      'submit',
      '--generate',
      '300',
      '--job',
      'auth-job',
      '--wait',
      '--json',
      ...clientUser,
    );
    expect(submitted.err).not.toMatch(/denied|authentication failed/); // its progress lines go there
    expect(submitted.code).toBe(0);
    const status = JSON.parse(submitted.out) as { status: string; total: number; stored: number };
    console.log(
      `[etcd-auth] queued job with the worker user: ${status.status}, ${status.stored}/${status.total} stored`,
    );
    expect(status).toMatchObject({ status: 'done', total: 300, stored: 300 });
    expect(node.logs().some((l) => /denied|authentication failed/.test(l))).toBe(false);
    await node.stop();
  });

  it('a node with only the node role says once why its queue worker is refused and how to fix it, and serves', async () => {
    const node = await startNode({ etcd: [url], namespace: ns, args: nodeUser });
    const line = await node.waitFor(/queue worker not started/, 20_000);
    const msg = (JSON.parse(line) as { msg: string }).msg;
    console.log(`[etcd-auth] node role only logs: ${msg}`);
    expect(msg).toContain(`etcd permission denied for user ${ns}-node on /${ns}/queue/`);
    expect(msg).toContain(
      `readwrite on /${ns}/queue/, /${ns}/results/, /${ns}/jobs/ (the ${ns}-worker role)`,
    );
    expect(msg).toContain('--no-worker (ARITH_NO_WORKER=true)');
    const called = await arith('call', 'Arith.Multiply', '6', '7', '--all', '--json', ...clientUser);
    expect(called.code).toBe(0);
    expect(called.out).toContain(node.id);
    expect(called.out).toContain('42');
    expect((await fetch(`${node.http}/readyz`)).status).toBe(200);
    expect(node.logs().filter((l) => l.includes('queue worker not started')).length).toBe(1);
    await node.stop();
  });

  it('a node with only the node role and --no-worker logs no refusal', async () => {
    const node = await startNode({ etcd: [url], namespace: ns, args: [...nodeUser, '--no-worker'] });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(node.logs().some((l) => /denied|queue worker/.test(l))).toBe(false);
    await node.stop();
  });
});
