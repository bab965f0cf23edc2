import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExact } from '../../src/protocol/exact-json.js';
import { buildGo, type GoBuild, hasGo, run } from '../support/go-build.js';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';

// In CI a missing Go toolchain is a failure, not a silent skip.
describe.runIf(!hasGo && process.env.CI)('Go toolchain', () => {
  it('is on PATH (the Go interop test needs `go` 1.19+)', () => {
    expect.fail('`go` is not on PATH: install Go (e.g. apt-get install golang-go) to run test/go/client');
  });
});

describe.skipIf(!hasGo)('Go net/rpc/jsonrpc client against arith-node over TCP', () => {
  let node: NodeProcess;
  let build: GoBuild | undefined;
  let bin: string;

  beforeAll(async () => {
    const [built, started] = await Promise.all([buildGo('client'), startNode({ standalone: true })]);
    build = built;
    bin = built.bin;
    node = started;
  }, 150_000);

  afterAll(async () => {
    await stopAllNodes();
    build?.remove();
  });

  it('multiplies, divides, reports divide by zero, keeps int64 exact and matches 200 concurrent replies', async () => {
    const { stdout, stderr } = await run(bin, [`127.0.0.1:${node.tcpPort}`], { timeout: 30_000 }).catch(
      (error: { stdout?: string; stderr?: string; code?: number }) => {
        throw new Error(`Go client failed (exit ${error.code}): ${error.stdout ?? ''}${error.stderr ?? ''}`);
      },
    );
    expect(stderr).toBe('');
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    // Parse exactly: `big` is beyond 2^53 and JSON.parse would round it.
    expect(lines[0]).toContain('"big":9223372030926249001,');
    const summary = parseExact(lines[0] ?? '') as Record<string, unknown>;
    expect(summary).toEqual({
      multiply: 56,
      divide: { Quo: 3, Rem: 2 },
      divErr: 'divide by zero',
      big: 9223372030926249001n,
      concurrentOk: 200,
      concurrentBad: 0,
      errors: [],
    });
  });

  it('exits non-zero against something that is not an arith-node TCP port', async () => {
    // The program must exit non-zero when it cannot get the right answers: the HTTP port answers
    // its JSON-RPC line with `400 Bad Request`.
    const result = await run(bin, [`127.0.0.1:${node.httpPort}`], { timeout: 30_000 }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
    expect(result).not.toBe(0);
  });
});
