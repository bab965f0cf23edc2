/**
 * cli: the `arith` command as a user runs it, a real process (`node dist/cli/arith.js`) against
 * the shared real etcd and real arith-node processes: call, nodes, results and bulk, help and
 * version, and bad input (a clear line or two and exit 2, never a stack trace).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { type CliRun, lines, runArith } from '../support/cli.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { freePort } from '../support/free-port.js';
import { startNode } from '../support/process.js';

const endpoints = inject('etcdEndpoints');
const fx = new ClusterFixture(endpoints);
const ns = fx.namespace('cli');

/** arith runs the CLI with --etcd and --namespace pointed at this file's cluster. */
const arith = (...args: string[]): Promise<CliRun> =>
  runArith([...args, '--etcd', endpoints.join(','), '--namespace', ns]);

/** STACK matches a stack frame line, which no user-facing error may print. */
const STACK = /^\s+at /m;

beforeAll(async () => {
  await Promise.all(['cli-a', 'cli-b'].map((id) => startNode({ id, etcd: endpoints, namespace: ns })));
});
afterAll(() => fx.close());

describe('arith call', () => {
  it('prints the product of `Arith.Multiply 7 8` and exits 0', async () => {
    const run = await arith('call', 'Arith.Multiply', '7', '8');
    expect(run).toMatchObject({ code: 0, stdout: '56\n', stderr: '' });
  });

  it('takes JSON params and prints JSON with --json', async () => {
    const run = await arith('call', 'Arith.Divide', '{"A":7,"B":2}', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ result: { Quo: 3, Rem: 1 } });
  });

  it('with --all prints a row per live node', async () => {
    const run = await arith('call', 'Arith.Add', '2', '3', '--all');
    expect(run.code).toBe(0);
    const rows = lines(run.stdout);
    expect(rows[0]).toMatch(/^NODE\s+ANSWER\s+TIME/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 2))).toEqual(
      expect.arrayContaining([
        ['cli-a', '5'],
        ['cli-b', '5'],
      ]),
    );
    expect(rows).toHaveLength(3);
  });

  it('prints an application error as one line and exits 1', async () => {
    const run = await arith('call', 'Arith.Divide', '1', '0');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/divide by zero/i);
    expect(run.stderr).not.toMatch(STACK);
  });
});

describe('arith nodes', () => {
  it('lists the live nodes as a table', async () => {
    const run = await arith('nodes');
    expect(run.code).toBe(0);
    const rows = lines(run.stdout);
    expect(rows[0]).toMatch(/^ID\s+HTTP\s+TCP\s+WEIGHT\s+UPTIME\s+VERSION/);
    expect(
      rows
        .slice(1)
        .map((r) => r.split(/\s+/)[0])
        .sort(),
    ).toEqual(['cli-a', 'cli-b']);
  });

  it('takes etcd and namespace from the environment, and prints JSON with --json', async () => {
    const run = await runArith(['nodes', '--json'], {
      env: { ETCD_ENDPOINTS: endpoints.join(','), ARITH_NAMESPACE: ns },
    });
    expect(run.code).toBe(0);
    const nodes = JSON.parse(run.stdout) as { id: string; endpoints: { http: string; tcp: string } }[];
    expect(nodes.map((n) => n.id).sort()).toEqual(['cli-a', 'cli-b']);
    for (const n of nodes) expect(n.endpoints.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('arith results and bulk', () => {
  it('stores a call with --store, then reads it back with results get and list', async () => {
    const stored = await arith('call', 'Arith.Multiply', '6', '7', '--store', 'cli/answer');
    expect(stored.code).toBe(0);
    expect(lines(stored.stdout)[0]).toBe('42');
    expect(stored.stdout).toMatch(/stored at cli\/answer/);
    const again = await arith('call', 'Arith.Multiply', '6', '7', '--store', 'cli/answer');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already stored \(agrees\)/);
    const got = await arith('results', 'get', 'cli/answer', '--json');
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ key: 'cli/answer', method: 'Arith.Multiply', result: 42 });
    const listed = await arith('results', 'list', '--prefix', 'cli/');
    expect(listed.code).toBe(0);
    expect(lines(listed.stdout).slice(1)).toEqual([expect.stringMatching(/^cli\/answer\s+42\s/)]);
  });

  it('results get of a missing key says so on one line and exits 1', async () => {
    const run = await arith('results', 'get', 'cli/missing');
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(lines(run.stderr)).toEqual(['no result stored at cli/missing']);
  });

  it('bulk --generate stores every result, a rerun resumes and skips them, and verify agrees', async () => {
    const first = await arith('bulk', '--generate', '40', '--job', 'cli-job', '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      jobId: 'cli-job',
      status: 'done',
      total: 40,
      stored: 40,
    });
    const rerun = await arith('bulk', '--generate', '40', '--job', 'cli-job', '--json');
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ status: 'done', stored: 0, skipped: 40, failed: 0 });
    const verify = await arith('results', 'verify', '--job', 'cli-job');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^checked 40 results .*: 0 mismatches, 0 unreadable/);
  });
  it('bulk of a file with a bad line: exit 2 naming the line, before any op is run or stored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-bulk-'));
    const file = join(dir, 'ops.jsonl');
    const good = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ method: 'Arith.Add', params: [i, 1] }),
    );
    writeFileSync(file, `${good.join('\n')}\ngarbage\n`);
    const run = await arith('bulk', file, '--job', 'cli-bad-file');
    expect(run.code).toBe(2);
    expect(lines(run.stderr)[0]).toBe(`arith: ${file}:51: not JSON`); // first: no op was run, no progress line
    const verify = await arith('results', 'verify', '--job', 'cli-bad-file');
    expect(verify.stderr).toMatch(/^no such job: cli-bad-file /); // the job was never started
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('help, version and bad input', () => {
  it('--help prints the commands and exits 0; a command’s --help prints its flags', async () => {
    const main = await runArith(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/^arith \S+: /);
    for (const name of ['up', 'nodes', 'call', 'bulk', 'results']) {
      expect(main.stdout).toMatch(new RegExp(`^  ${name}\\s`, 'm'));
    }
    const call = await runArith(['call', '--help']);
    expect(call.code).toBe(0);
    expect(call.stdout).toMatch(/Usage: arith call /);
    expect(call.stdout).toMatch(/--quorum/);
  });

  it('--version prints the version', async () => {
    expect(await runArith(['--version'])).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it.each([
    [['call', 'Arith.Multiply', '7', '8', '--bogus'], /^arith: Unknown option '--bogus'/],
    [
      ['call', 'Arith.Multiply', '7', '8', '--deadline', 'soon'],
      /^arith: --deadline: expected a whole number/,
    ],
    [['call', 'Arith.Multiply', 'seven', '8'], /^arith: param 1 is not an integer/],
    [['frobnicate'], /^arith: unknown command 'frobnicate'/],
  ])('%j prints what is wrong and how to use it, exits 2, no stack trace', async (args, first) => {
    const run = await runArith(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const err = lines(run.stderr);
    expect(err[0]).toMatch(first);
    expect(err.slice(1)).toEqual([expect.stringMatching(/^(Usage: arith |Try 'arith --help'\.)/)]);
    expect(run.stderr).not.toMatch(STACK);
  });

  it('names the etcd it cannot reach on one line and exits 1', async () => {
    const port = await freePort();
    const run = await runArith(['nodes', '--etcd', `127.0.0.1:${port}`, '--etcd-timeout', '500']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(`^cannot reach etcd at 127\\.0\\.0\\.1:${port}`),
    ]);
  });
});
