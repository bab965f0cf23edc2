/**
 * Pipelined lines that arrive in one TCP read share one deadline, counted from when they were read,
 * even when handling them takes longer than a millisecond: a gateway then forwards the whole read
 * as one group (one `callMany`, one batch line to one node) instead of one group per millisecond
 * the clock moved while it parsed them (at 256 Go callers: ~3 groups per read, 3× the writes).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ManyCall, ManyResult } from '../../src/client/call-many.js';
import { ForwardHandler } from '../../src/gateway/forward-handler.js';
import type { MessageHandler } from '../../src/node/admission.js';
import { TcpTransport } from '../../src/node/tcp-transport.js';
import { LineClient } from '../support/line-client.js';

/** GroupingSdk answers Arith.Multiply and records each group's size and deadline. */
class GroupingSdk {
  readonly groups: { size: number; deadlineMs: number | undefined }[] = [];

  call(_method: string, params: unknown, options: { deadlineMs?: number } = {}): Promise<unknown> {
    this.groups.push({ size: 1, deadlineMs: options.deadlineMs });
    return Promise.resolve(product(params));
  }

  callMany(calls: readonly ManyCall[], options: { deadlineMs?: number } = {}): Promise<ManyResult[]> {
    this.groups.push({ size: calls.length, deadlineMs: options.deadlineMs });
    return Promise.resolve(calls.map((c) => ({ ok: true, result: product(c.params), nodeId: 'n1' })));
  }
}

function product(params: unknown): number {
  const { A, B } = (params as [{ A: number; B: number }])[0];
  return A * B;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('TCP lines of one read share one deadline', () => {
  it('forwards 20 pipelined lines read at once as one group, though handling each took 2 ms', async () => {
    const sdk = new GroupingSdk();
    const handler = new ForwardHandler(sdk);
    const realNow = Date.now.bind(Date);
    let skew = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skew);
    // Each line's handling moves the clock 2 ms on (a busy gateway parsing a large burst).
    const slow: MessageHandler = {
      handle: (message, ctx) => {
        const answered = handler.handle(message, ctx);
        skew += 2;
        return answered;
      },
    };
    const transport = new TcpTransport({
      host: '127.0.0.1',
      port: 0,
      dispatcher: slow,
      maxFrameBytes: 1 << 20,
      requestTimeoutMs: 30_000,
    });
    const { port } = await transport.listen();
    const client = await LineClient.connect(port);
    try {
      const lines = Array.from(
        { length: 20 },
        (_, i) => `{"method":"Arith.Multiply","params":[{"A":${i},"B":3}],"id":${i}}\n`,
      );
      client.socket.write(lines.join(''));
      const answers = (await client.take(20)).map((l) => JSON.parse(l) as { id: number; result: number });
      expect(answers.map((a) => a.result)).toEqual(answers.map((a) => a.id * 3));
      expect(sdk.groups.map((g) => g.size)).toEqual([20]);
      // The shared deadline counts from the read: the full timeout less the 40 ms the burst took.
      expect(sdk.groups[0]!.deadlineMs).toBeGreaterThan(29_900);
      expect(sdk.groups[0]!.deadlineMs).toBeLessThanOrEqual(30_000);
    } finally {
      client.socket.destroy();
      await transport.close(100);
    }
  });
});
