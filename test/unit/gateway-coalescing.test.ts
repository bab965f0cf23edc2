/**
 * The gateway's forwarding: the calls of one burst (a batch, or pipelined lines handled in one
 * turn) go to the SDK as one `callMany` per deadline, a lone call at once (no timer), and each
 * caller still gets its own answer, in the shape of the version it spoke.
 */
import { describe, expect, it } from 'vitest';
import type { ManyCall, ManyResult } from '../../src/client/call-many.js';
import type { CallOptions } from '../../src/client/call-one.js';
import { TransportError } from '../../src/client/errors.js';
import { ForwardHandler } from '../../src/gateway/forward-handler.js';

/** FakeSdk answers Arith.Multiply and records every group (`callMany`) and lone `call` it is given. */
class FakeSdk {
  readonly groups: { calls: readonly ManyCall[]; deadlineMs: number | undefined; lone: boolean }[] = [];

  call(method: string, params: unknown, options: CallOptions = {}): Promise<unknown> {
    this.groups.push({ calls: [{ method, params }], deadlineMs: options.deadlineMs, lone: true });
    const r = multiply(params);
    return r.ok ? Promise.resolve(r.result) : Promise.reject(r.error);
  }

  callMany(calls: readonly ManyCall[], options: CallOptions = {}): Promise<ManyResult[]> {
    this.groups.push({ calls, deadlineMs: options.deadlineMs, lone: false });
    return Promise.resolve(calls.map(({ params }) => multiply(params)));
  }
}

function multiply(params: unknown): ManyResult {
  const { A, B } = (Array.isArray(params) ? params[0] : params) as { A: number; B: number };
  if (A < 0) return { ok: false, error: new TransportError('reset', 'n1', 'reset'), nodeId: 'n1' };
  return { ok: true, result: A * B, nodeId: 'n1' };
}

const req = (id: number, A: number, B = 2) => ({
  jsonrpc: '2.0',
  id,
  method: 'Arith.Multiply',
  params: { A, B },
});

describe('gateway forwarding groups each burst into one callMany', () => {
  it('sends a batch of 50 as one group and answers each element with its own id', async () => {
    const sdk = new FakeSdk();
    const handler = new ForwardHandler(sdk);
    const batch = Array.from({ length: 50 }, (_, i) => req(i, i));
    const { response } = await handler.handle(batch, { deadline: Date.now() + 5_000 });
    expect(sdk.groups).toHaveLength(1);
    expect(sdk.groups[0]!.calls).toHaveLength(50);
    expect(sdk.groups[0]!.deadlineMs).toBeGreaterThan(4_000);
    expect(response).toEqual(batch.map((_, i) => ({ jsonrpc: '2.0', id: i, result: i * 2 })));
  });

  it('groups messages handled in the same turn (pipelined lines) and splits them by deadline', async () => {
    const sdk = new FakeSdk();
    const handler = new ForwardHandler(sdk);
    const at = Date.now() + 5_000;
    const answers = [
      handler.handle(req(1, 1), { deadline: at }),
      handler.handle(req(2, 2), { deadline: at }),
      handler.handle(req(3, 3), { deadline: at - 1_000 }),
      handler.handle({ method: 'Arith.Multiply', params: [{ A: 4, B: 2 }], id: 4 }, { deadline: at }),
    ];
    const responses = (await Promise.all(answers)).map((a) => a.response);
    expect(sdk.groups.map((g) => [g.calls.length, g.lone])).toEqual([
      [3, false],
      [1, true],
    ]);
    expect(responses).toEqual([
      { jsonrpc: '2.0', id: 1, result: 2 },
      { jsonrpc: '2.0', id: 2, result: 4 },
      { jsonrpc: '2.0', id: 3, result: 6 },
      { id: 4, error: null, result: 8 },
    ]);
  });

  it('sends a lone call before any timer or setImmediate could run, as a plain call', async () => {
    const sdk = new FakeSdk();
    const handler = new ForwardHandler(sdk);
    const answered = handler.handle(req(1, 7), { deadline: Date.now() + 5_000 });
    await Promise.resolve();
    await Promise.resolve();
    // A plain call: the SDK's per-node batcher then gathers lone calls from many connections.
    expect(sdk.groups.map((g) => g.lone)).toEqual([true]);
    expect((await answered).response).toEqual({ jsonrpc: '2.0', id: 1, result: 14 });
    const failed = await handler.handle(req(2, -1), { deadline: Date.now() + 5_000 });
    expect((failed.response as { error: { code: number } }).error.code).toBe(-32603);
  });

  it("answers one call's failure with its error, the others of its group with their results", async () => {
    const sdk = new FakeSdk();
    const handler = new ForwardHandler(sdk);
    const { response } = await handler.handle([req(1, -1), req(2, 5)], { deadline: Date.now() + 5_000 });
    expect(sdk.groups).toHaveLength(1);
    const [failed, ok] = response as [{ error: { code: number } }, unknown];
    expect(failed.error.code).toBe(-32603);
    expect(ok).toEqual({ jsonrpc: '2.0', id: 2, result: 10 });
  });

  it('answers every call, lone and grouped, when the metrics observer throws', async () => {
    const sdk = new FakeSdk();
    let seen = 0;
    const handler = new ForwardHandler(sdk, {
      onCall: () => {
        seen++;
        throw new Error('observer broke');
      },
    });
    const lone = await handler.handle(req(1, 3), { deadline: Date.now() + 5_000 });
    const group = await handler.handle([req(2, 4), req(3, -1)], { deadline: Date.now() + 5_000 });
    expect(lone.response).toEqual({ jsonrpc: '2.0', id: 1, result: 6 });
    const [ok, failed] = group.response as [unknown, { id: number; error: { code: number } }];
    expect(ok).toEqual({ jsonrpc: '2.0', id: 2, result: 8 });
    expect(failed.id).toBe(3);
    expect(failed.error.code).toBe(-32603);
    expect(seen).toBe(3);
  });
});
