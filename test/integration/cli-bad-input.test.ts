/**
 * cli-bad-input: arguments `arith` and `arith-node` must refuse with one line naming what is
 * wrong and exit 2, before connecting to etcd or listening: result keys and job ids, a directory
 * for a .jsonl file, etcd endpoints and hosts that only look like addresses, negative numbers,
 * etcd and node TLS files that are missing, not PEM, junk or a mismatched pair. Then what needs a
 * real etcd: negative integers as call params, `results verify` of a job that does not exist, an
 * unreachable `--results-etcd`, and a gateway whose port is taken.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CliRun, lines, runArith } from '../support/cli.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { freePort } from '../support/free-port.js';
import { NODE_BIN, startNode } from '../support/process.js';
import { makeTestCerts, OPENSSL, type TestCerts } from '../support/test-certs.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
const ns = fx.namespace('clibad');
const STACK = /^\s+at /m;
const dir = mkdtempSync(join(tmpdir(), 'arith-bad-'));
const junk = join(dir, 'junk.pem');
writeFileSync(junk, '-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n');
const notPem = join(dir, 'not.pem');
writeFileSync(notPem, 'hello\n');
let certs: TestCerts | undefined;
let closedPort = 0;

beforeAll(async () => {
  closedPort = await freePort();
  if (OPENSSL) certs = makeTestCerts();
  await startNode({ id: `bad-${process.pid}`, etcd: endpoints, namespace: ns });
});
afterAll(async () => {
  certs?.remove();
  await fx.close();
});

/** refused expects exit 2 with `first` on the first line, a usage line after it, no stack. */
function refused(run: CliRun, first: RegExp): void {
  expect(run.stderr).not.toMatch(STACK);
  expect(run.code).toBe(2);
  expect(lines(run.stderr)[0]).toMatch(first);
}

/**
 * offline runs `arith` pointed at a closed port (a later --etcd in `args` wins): reaching for etcd
 * would exit 1 "cannot reach".
 */
const offline = (command: string, ...args: string[]): Promise<CliRun> =>
  runArith([command, '--etcd', `127.0.0.1:${closedPort}`, '--etcd-timeout', '500', ...args]);

describe('arith refuses bad keys, ids, files and addresses before connecting', () => {
  it.each([
    [['call', 'Arith.Add', '1', '2', '--store', ''], /^arith: --store: invalid result key "": key is empty/],
    [['call', 'Arith.Add', '1', '2', '--store', '../x'], /^arith: --store: .*must not contain \.\./],
    [['results', 'get', '../x'], /^arith: results get KEY: invalid result key/],
    [['jobs', 'cancel', '../x'], /^arith: jobs cancel ID: invalid job id "\.\.\/x"/],
    [['jobs', 'watch', 'a/b'], /^arith: jobs watch ID: invalid job id/],
    [['results', 'verify', '--job', 'a/b'], /^arith: --job: invalid job id/],
    [['bulk', '--generate', '3', '--job', ''], /^arith: --job: invalid job id ""/],
    [['bulk', '--generate', '3', '--job', 'a/b'], /^arith: --job: invalid job id "a\/b"/],
    [['submit', '--generate', '3', '--job', 'a/b'], /^arith: --job: invalid job id "a\/b"/],
    [['bulk', dir], /^arith: .* is a directory, not a \.jsonl file/],
    [['submit', dir], /^arith: .* is a directory, not a \.jsonl file/],
    [['nodes', '--etcd', '127.0.0.1:0'], /^arith: --etcd: .*port 0 is not from 1 to 65535/],
    [['nodes', '--etcd', '127.0.0.1:99999'], /^arith: --etcd: .*port 99999 is not from 1 to 65535/],
    [['nodes', '--etcd', '999.1.1.1:2379'], /^arith: --etcd: .*not an IPv4 address/],
    [['nodes', '--results-etcd', '[:::]:2379'], /^arith: --results-etcd: .*not an IPv6 address/],
    [['gateway', '--host', '999.999.999.999'], /^arith: --host: not an IPv4 address/],
    [['gateway', '--host', ':::'], /^arith: --host: not an IPv6 address/],
    [['sd', '--host', 'a..b'], /^arith: --host: not a host name/],
    [
      ['call', 'Arith.Add', '1', '2', '--deadline', '-5'],
      /^arith: --deadline: must be at least 1 \(got "-5"\)/,
    ],
    [
      ['call', 'Arith.Add', '1', '2', '--deadline', '-x'],
      /^arith: --deadline needs a value; .*--deadline=-VALUE/,
    ],
    [['nodes', '--etcd-ca', join(dir, 'nope.pem')], /^arith: --etcd-ca: cannot read .*nope\.pem/],
    [['nodes', '--etcd-ca', notPem], /^arith: --etcd-ca: .* is not a PEM file/],
    [['nodes', '--etcd-ca', junk], /^arith: --etcd-ca: certificate 1 does not parse/],
    [['call', 'Arith.Add', '1', '2', '--tls-ca', junk], /^arith: --tls-ca: certificate 1 does not parse/],
  ])('%j exits 2 naming what is wrong', async (args, first) => {
    refused(await offline(args[0]!, ...args.slice(1)), first);
  });

  it.skipIf(!OPENSSL)('a junk or mismatched --etcd-cert / --etcd-key exits 2 naming the flags', async () => {
    const c = certs!;
    refused(
      await offline('nodes', '--etcd-cert', c.client.cert, '--etcd-key', c.stranger.key),
      /^arith: --etcd-cert\/--etcd-key: .*key values mismatch/,
    );
    refused(
      await offline('nodes', '--etcd-cert', junk, '--etcd-key', c.client.key),
      /^arith: --etcd-cert: certificate 1 does not parse/,
    );
    refused(
      await offline('nodes', '--etcd-ca', c.ca, '--etcd-cert', c.client.cert, '--etcd-key', junk),
      /^arith: --etcd-cert\/--etcd-key: /,
    );
  });
});

/** runNode runs arith-node to its end (it must exit on its own) with its stdout and stderr. */
function runNode(args: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [NODE_BIN, '--port', '0', '--tcp-port', '0', ...args], {
    env: { ...process.env, ETCD_ENDPOINTS: '', ARITH_NAMESPACE: '', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`arith-node ${args.join(' ')} still running after 15 s\n${stdout}${stderr}`));
    }, 15_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('arith-node refuses bad etcd TLS files, CA bundles and hosts before it listens', () => {
  it.each([
    [['--etcd-ca', join(dir, 'nope.pem')], /^arith-node: --etcd-ca: cannot read/],
    [['--etcd-ca', junk], /^arith-node: --etcd-ca: certificate 1 does not parse/],
    [['--host', ':::'], /^arith-node: --host: not an IPv6 address/],
    [['--host', '999.999.999.999'], /^arith-node: --host: not an IPv4 address/],
  ])('%j exits 2', async (args, first) => {
    const run = await runNode([...args, '--etcd', `127.0.0.1:${closedPort}`]);
    expect(run.code).toBe(2);
    expect(run.stdout).not.toMatch(/listening/);
    expect(lines(run.stderr)[0]).toMatch(first);
  });

  it.skipIf(!OPENSSL)('--tls-client-ca junk and a mismatched --etcd-cert / --etcd-key exit 2', async () => {
    const c = certs!;
    const tls = ['--tls-cert', c.server.cert, '--tls-key', c.server.key];
    for (const [args, first] of [
      [[...tls, '--tls-client-ca', junk], /^arith-node: --tls-client-ca: certificate 1 does not parse/],
      [
        ['--etcd-cert', c.client.cert, '--etcd-key', c.stranger.key],
        /^arith-node: --etcd-cert\/--etcd-key: /,
      ],
    ] as const) {
      const run = await runNode([...args, '--etcd', `127.0.0.1:${closedPort}`]);
      expect(run.code).toBe(2);
      expect(run.stdout).not.toMatch(/listening/);
      expect(lines(run.stderr)[0]).toMatch(first);
    }
  });
});

describe('with a real etcd and node', () => {
  const arith = (...args: string[]): Promise<CliRun> =>
    runArith([...args, '--etcd', endpoints.join(','), '--namespace', ns]);

  it('negative integers are call params: `Arith.Multiply -5 3` prints -15', async () => {
    const run = await arith('call', 'Arith.Multiply', '-5', '3');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('-15');
    const sum = await arith('call', 'Arith.Sum', '-1', '-2', '--deadline', '5000', '-3');
    expect(sum.stdout.trim()).toBe('-6');
  });

  it('results verify --job of a job that does not exist says so and exits 1', async () => {
    const run = await arith('results', 'verify', '--job', 'nope');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^no such job: nope/)]);
  });

  it('an unreachable --results-etcd is one line naming its endpoints, exit 1', async () => {
    for (const args of [
      ['results', 'get', 'k'],
      ['jobs', 'list'],
      ['submit', '--generate', '3'],
    ]) {
      // --etcd-timeout also bounds the connect to the live registry etcd: 500 ms was too short for
      // it once under a loaded machine, which then named the wrong etcd.
      const run = await arith(...args, '--results-etcd', `127.0.0.1:${closedPort}`, '--etcd-timeout', '2000');
      expect(run.code).toBe(1);
      expect(lines(run.stderr)).toEqual([
        `cannot reach the results etcd at 127.0.0.1:${closedPort}: point --results-etcd / ARITH_RESULTS_ETCD at a running etcd`,
      ]);
    }
  });

  it('a gateway whose port is taken prints one line and exits 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const run = await arith('gateway', '--port', String(port), '--tcp-port', '0');
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(lines(run.stderr)).toEqual([
        expect.stringMatching(/^address in use: .*EADDRINUSE.*127\.0\.0\.1:\d+/),
      ]);
    } finally {
      blocker.close();
    }
  });
});
