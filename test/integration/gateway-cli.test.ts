/**
 * gateway-cli: `arith gateway` and `arith sd` as real processes in front of a real node: they
 * listen, forward, answer /readyz and /sd, and exit 0 on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ARITH_BIN, runArith } from '../support/cli.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { post } from '../support/gateway.js';
import { type NodeProcess, startNode } from '../support/process.js';

const fx = new ClusterFixture(inject('etcdEndpoints'));
afterAll(() => fx.close());

/** spawnArith runs `arith ...args` and resolves with the first stdout JSON line that has `key`. */
async function spawnArith(
  args: string[],
  key: string,
): Promise<{ child: ChildProcess; line: Record<string, unknown> }> {
  const child = spawn(process.execPath, [ARITH_BIN, ...args], {
    env: { ...process.env, ETCD_ENDPOINTS: '', ARITH_NAMESPACE: '', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  fx.cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`arith ${args[0]}: no ${key} within 20 s: ${out}${err}`)),
      20_000,
    );
    child.once('exit', (code) => reject(new Error(`arith ${args[0]} exited (${code}): ${out}${err}`)));
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      for (const l of out.split('\n')) {
        if (!l.startsWith('{')) continue;
        const parsed = JSON.parse(l) as Record<string, unknown>;
        if (parsed[key] !== undefined) {
          clearTimeout(timer);
          resolve(parsed);
        }
      }
    });
  });
  return { child, line };
}

const exitCode = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('arith gateway and arith sd', () => {
  let ns: string;
  let node: NodeProcess;
  const etcd = (): string[] => ['--etcd', fx.endpoints.join(','), '--namespace', ns];

  beforeAll(async () => {
    ns = fx.namespace('gateway-cli');
    node = await startNode({ id: 'cli-a', etcd: fx.endpoints, namespace: ns });
  });

  it('arith gateway forwards, is ready with a node, serves /sd and exits 0 on SIGTERM', async () => {
    const { child, line } = await spawnArith(
      ['gateway', '--port', '0', '--tcp-port', '0', '--json', ...etcd()],
      'port',
    );
    const url = `http://127.0.0.1:${line.port}`;
    expect(line.nodes).toBe(1);
    const { text } = await post(
      url,
      '{"jsonrpc":"2.0","id":1,"method":"Arith.Multiply","params":{"A":7,"B":8}}',
    );
    expect(JSON.parse(text)).toEqual({ jsonrpc: '2.0', id: 1, result: 56 });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const sd = (await (await fetch(`${url}/sd`)).json()) as Array<{ targets: string[] }>;
    expect(sd.map((g) => g.targets[0])).toEqual([`127.0.0.1:${node.httpPort}`]);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('arith sd answers the targets (application/json), 404 elsewhere, and exits 0 on SIGTERM', async () => {
    const { child, line } = await spawnArith(['sd', '--port', '0', ...etcd()], 'port');
    const url = `http://127.0.0.1:${line.port}`;
    const res = await fetch(`${url}/sd`);
    expect(res.headers.get('content-type')).toBe('application/json');
    const groups = (await res.json()) as Array<{ targets: string[]; labels: Record<string, string> }>;
    expect(groups).toEqual([
      {
        targets: [`127.0.0.1:${node.httpPort}`],
        labels: {
          __meta_arith_node_id: 'cli-a',
          __meta_arith_namespace: ns,
          __meta_arith_version: expect.any(String),
        },
      },
    ]);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('arith sd answers [] for a namespace without nodes', async () => {
    const empty = fx.namespace('gateway-cli-empty');
    const { child, line } = await spawnArith(
      ['sd', '--port', '0', '--etcd', fx.endpoints.join(','), '--namespace', empty],
      'port',
    );
    expect(await (await fetch(`http://127.0.0.1:${line.port}/sd`)).text()).toBe('[]');
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('arith gateway refuses a bad port with a usage error', async () => {
    const run = await runArith(['gateway', '--port', '70000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--port');
  });
});
