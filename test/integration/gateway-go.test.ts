/**
 * gateway-go: Go's standard net/rpc/jsonrpc client, unchanged, against the gateway's TCP port:
 * the seed's interop program gets its exact answers, and 64 goroutines lose no call and get no
 * wrong answer while one of three nodes is killed with kill -9.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseExact } from '../../src/protocol/exact-json.js';
import { ClusterFixture, nextChange } from '../support/cluster-fixture.js';
import { type GatewayHandle, openGateway } from '../support/gateway.js';
import { buildGo, type GoBuild, hasGo, run } from '../support/go-build.js';
import { type NodeProcess, startNode } from '../support/process.js';

const fx = new ClusterFixture(inject('etcdEndpoints'));
afterAll(() => fx.close());

describe.runIf(!hasGo && process.env.CI)('Go toolchain', () => {
  it('is on PATH (the gateway Go tests need `go` 1.19+)', () => {
    expect.fail('`go` is not on PATH: install Go (e.g. apt-get install golang-go)');
  });
});

describe.skipIf(!hasGo)('Go net/rpc/jsonrpc client through the gateway', () => {
  let builds: GoBuild[] = [];
  let client: string;
  let failover: string;
  let nodes: NodeProcess[];
  let gw: GatewayHandle;

  beforeAll(async () => {
    const ns = fx.namespace('gateway-go');
    let clientBuild: GoBuild;
    let failoverBuild: GoBuild;
    [clientBuild, failoverBuild, nodes] = await Promise.all([
      buildGo('client'),
      buildGo('failover'),
      Promise.all(
        ['a', 'b', 'c'].map((x) => startNode({ id: `gwgo-${x}`, etcd: fx.endpoints, namespace: ns, ttl: 2 })),
      ),
    ]);
    builds = [clientBuild, failoverBuild];
    client = clientBuild.bin;
    failover = failoverBuild.bin;
    gw = await openGateway(fx, ns, 3);
  }, 150_000);

  afterAll(() => {
    for (const b of builds) b.remove();
  });

  it('gets the exact answers a node gives (int64 beyond 2^53, divide by zero, 200 concurrent)', async () => {
    const { stdout } = await run(client, [`127.0.0.1:${gw.tcpPort}`], { timeout: 30_000 });
    expect(stdout).toContain('"big":9223372030926249001,');
    expect(parseExact(stdout.trim())).toMatchObject({
      multiply: 56,
      divErr: 'divide by zero',
      concurrentOk: 200,
      errors: [],
    });
  });

  it('loses no call and gets no wrong answer from 64 goroutines while a node is killed with kill -9', async () => {
    const child = spawn(failover, [`127.0.0.1:${gw.tcpPort}`, '64', '4'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let calls = 0;
    let wake: (() => void) | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      for (const m of d.matchAll(/progress (\d+)/g)) calls = Math.max(calls, Number(m[1]));
      wake?.();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const until = async (n: number): Promise<void> => {
      while (calls < n) {
        if (child.exitCode !== null) throw new Error(`failover exited early: ${out}${err}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 200);
        });
      }
    };
    await until(2_000);
    const removed = nextChange(gw.cluster, 'removed', 'gwgo-b', 15_000);
    await nodes[1]!.stop('SIGKILL');
    const atKill = calls;
    await removed;
    await until(Math.max(atKill, calls) + 2_000);
    child.stdin.end();
    const code = await exited;
    const summary = parseExact(out.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
    console.log(`[gateway-go] ${JSON.stringify(summary)} (${atKill} calls before the kill)`);
    expect(err).toBe('');
    expect(summary).toEqual({ calls: expect.any(Number), failed: 0, wrong: 0, errors: [] });
    expect(code).toBe(0);
  });
});
