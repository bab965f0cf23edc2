import { describe, expect, it, vi } from 'vitest';
import { type CallOutcome, Dispatcher, type DispatcherOptions } from '../../src/node/dispatcher.js';
import { parseMessage, serializeResponse } from '../../src/protocol/wire.js';

type Obj = Record<string, unknown>;
const ctx = (ms = 5_000) => ({ deadline: Date.now() + ms });

/** call sends one message through a dispatcher and returns the response and its exact wire text. */
async function call(message: unknown, options: DispatcherOptions = {}, ms?: number) {
  const d = new Dispatcher(options);
  const { response, exact } = await d.handle(message, ctx(ms));
  return {
    response,
    exact,
    text: response === undefined ? undefined : serializeResponse(response, exact),
  };
}

/** wire parses raw text exactly (big literals become bigint), as the transports do, then calls. */
async function wire(text: string) {
  const parsed = parseMessage(text);
  if (!parsed.ok) throw new Error(`not JSON: ${text}`);
  return call(parsed.message);
}

const req = (id: number | string, method: string, params: unknown) => ({
  jsonrpc: '2.0',
  id,
  method,
  params,
});

describe('Dispatcher JSON-RPC 2.0', () => {
  it('answers a single call, with exact numbers and big results as strings', async () => {
    expect((await call(req(1, 'Arith.Multiply', { A: 7, B: 8 }))).response).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: 56,
    });
    const big = await call(req('b', 'Arith.Multiply', { A: '9007199254740993', B: 3 }));
    expect(big.response).toEqual({ jsonrpc: '2.0', id: 'b', result: '27021597764222979' });
    expect(big.text).toBe('{"jsonrpc":"2.0","id":"b","result":"27021597764222979"}');
    // A big literal number in 2.0 was already rounded by a JS client: refused with -32602 quoting it.
    const literal = await wire('{"jsonrpc":"2.0","id":2,"method":"Arith.Add","params":[9007199254740993,1]}');
    expect(literal.response).toMatchObject({ id: 2, error: { code: -32602, message: /9007199254740993/ } });
    expect((await call(req(3, 'Arith.Divide', [17, 5]))).response).toMatchObject({
      result: { Quo: 3, Rem: 2 },
    });
  });

  it('answers a batch with one response per call, matched by id', async () => {
    const batch = [
      req(1, 'Arith.Add', [1, 2]),
      req(2, 'Arith.Multiply', [{ A: 6, B: 7 }]),
      { jsonrpc: '2.0', method: 'Arith.Add', params: [1, 1] }, // notification: no response
      req(3, 'Arith.Divide', { A: 1, B: 0 }),
      req(4, 'Arith.Pow', { A: 2, B: 64 }),
    ];
    const { response } = await call(batch);
    expect(Array.isArray(response)).toBe(true);
    const list = response as Obj[];
    expect(list).toHaveLength(4);
    const byId = new Map(list.map((r) => [r.id, r]));
    expect(byId.get(1)?.result).toBe(3);
    expect(byId.get(2)?.result).toBe(42);
    expect(byId.get(3)?.error).toEqual({ code: 1001, message: 'divide by zero' });
    expect(byId.get(4)?.result).toBe('18446744073709551616');
    expect(list.map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });

  it('owes nothing for a notification, or a batch of notifications', async () => {
    expect((await call({ jsonrpc: '2.0', method: 'Arith.Add', params: [1, 2] })).response).toBeUndefined();
    const notes = [1, 2].map(() => ({ jsonrpc: '2.0', method: 'Arith.Add', params: [1, 2] }));
    const { response } = await call(notes);
    expect(response === undefined || (Array.isArray(response) && response.length === 0)).toBe(true);
  });

  it('refuses an empty batch, an over-long batch and requests without a method with -32600', async () => {
    expect((await call([])).response).toMatchObject({ id: null, error: { code: -32600 } });
    const long = Array.from({ length: 4 }, (_, i) => req(i, 'Arith.Add', [i, i]));
    const seen: CallOutcome[] = [];
    const r = await call(long, { maxBatchLength: 3, onCall: (o) => seen.push(o) });
    expect(r.response).toMatchObject({ id: null, error: { code: -32600 } });
    expect((r.response as { error: { message: string } }).error.message).toMatch(/batch of 4 .*limit of 3/);
    expect(seen).toEqual([]); // refused before running any call
    expect((await call(long.slice(0, 3), { maxBatchLength: 3 })).response).toHaveLength(3);
    expect((await call({ jsonrpc: '2.0', id: 1, params: [] })).response).toMatchObject({
      error: { code: -32600 },
    });
    expect((await call(null)).response).toMatchObject({ error: { code: -32600 } });
    expect((await call('Arith.Add')).response).toMatchObject({ error: { code: -32600 } });
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Arith.Nope', 'arith.add', 'Arith'])(
    'answers method %s with -32601',
    async (method) => {
      const { response } = await call(req(9, method, [1, 2]));
      expect(response).toEqual({
        jsonrpc: '2.0',
        id: 9,
        error: { code: -32601, message: 'Method not found' },
      });
    },
  );

  it('answers bad params with -32602 naming the param', async () => {
    const missing = await call(req(1, 'Arith.Multiply', { A: 7 }));
    expect(missing.response).toMatchObject({
      error: { code: -32602, message: expect.stringMatching(/\bB\b/) },
    });
    const wrong = await call(req(2, 'Arith.Add', { A: 1.5, B: 1 }));
    expect(wrong.response).toMatchObject({ error: { code: -32602, message: expect.stringMatching(/^A: /) } });
    const extra = await call(req(3, 'Arith.Add', { A: 1, B: 1, C: 1 }));
    expect(extra.response).toMatchObject({ error: { code: -32602, message: expect.stringContaining('C') } });
    const sum = await call(req(4, 'Arith.Sum', { Values: [1, 'x'] }));
    expect(sum.response).toMatchObject({
      error: { code: -32602, message: expect.stringContaining('Values[1]') },
    });
  });

  it('answers divide by zero with code 1001', async () => {
    for (const method of ['Arith.Divide', 'Arith.Mod']) {
      const { response } = await call(req(1, method, [7, 0]));
      expect(response).toEqual({ jsonrpc: '2.0', id: 1, error: { code: 1001, message: 'divide by zero' } });
    }
  });
});

describe('Dispatcher JSON-RPC 1.0 (Go net/rpc/jsonrpc)', () => {
  const v1 = (id: number, method: string, params: unknown) => ({ method, params, id });

  it('answers { id, result, error: null } with int64 results as raw numbers', async () => {
    const r = await call(v1(0, 'Arith.Multiply', [{ A: 7, B: 8 }]));
    expect(r.exact).toBe(true);
    expect(r.response).toEqual({ id: 0, result: 56, error: null });
    expect(r.text).toBe('{"id":0,"error":null,"result":56}');
    const big = await call(v1(1, 'Arith.Multiply', [{ A: 3037000499, B: 3037000499 }]));
    expect(big.response).toMatchObject({ id: 1, error: null, result: 9223372030926249001n });
    expect(big.text).toContain('"result":9223372030926249001');
    const exact = await wire('{"method":"Arith.Add","params":[{"A":9007199254740993,"B":1}],"id":7}');
    expect(exact.text).toBe('{"id":7,"error":null,"result":9007199254740994}');
    const q = await call(v1(2, 'Arith.Divide', [{ A: 17, B: 5 }]));
    expect(JSON.parse(q.text ?? '')).toEqual({ id: 2, result: { Quo: 3, Rem: 2 }, error: null });
  });

  it('answers errors as plain strings', async () => {
    const div = await call(v1(3, 'Arith.Divide', [{ A: 17, B: 0 }]));
    expect(div.response).toMatchObject({ id: 3, error: 'divide by zero' });
    expect((div.response as Obj).result ?? null).toBeNull();
    for (const m of ['Arith.Nope', '__proto__', 'toString']) {
      expect((await call(v1(4, m, [{ A: 1, B: 2 }]))).response).toMatchObject({
        id: 4,
        error: 'Method not found',
      });
    }
    const bad = await call(v1(5, 'Arith.Add', [{ A: 1 }]));
    expect(bad.response).toMatchObject({ id: 5, error: 'missing param B' });
  });
});

describe('Dispatcher options', () => {
  it('answers -32001 when delayMs outlasts the deadline, and the result when it does not', async () => {
    const started = Date.now();
    const late = await call(req(1, 'Arith.Add', [1, 2]), { delayMs: 300 }, -5);
    expect(late.response).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32001, message: 'deadline exceeded' },
    });
    expect(Date.now() - started).toBeLessThan(250); // answered at the deadline, not after the delay
    const ok = await call(req(2, 'Arith.Add', [1, 2]), { delayMs: 20 }, 2_000);
    expect(ok.response).toMatchObject({ result: 3 });
    const expired = await call(req(3, 'Arith.Add', [1, 2]), {}, -5);
    expect(expired.response).toMatchObject({ error: { code: -32001 } });
  });

  // Timers and Date.now() run on different clocks: the outcome must be decided when scheduling.
  it('decides -32001 when scheduling, whatever the wall clock says when the timer fires', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const d = new Dispatcher({ delayMs: 200 });
      const pending = d.handle(req(1, 'Arith.Add', [1, 2]), ctx(30));
      vi.advanceTimersByTime(200); // the timer fires while Date.now() (real) is still before the deadline
      expect((await pending).response).toMatchObject({ error: { code: -32001 } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('faultWrongAnswer adds 1 to results', async () => {
    expect((await call(req(1, 'Arith.Multiply', [7, 8]), { faultWrongAnswer: true })).response).toMatchObject(
      {
        result: 57,
      },
    );
    const q = await call(req(2, 'Arith.Divide', [17, 5]), { faultWrongAnswer: true });
    expect(q.response).toMatchObject({ result: { Quo: 4, Rem: 2 } });
  });

  it('reports each executed call to onCall', async () => {
    const seen: CallOutcome[] = [];
    await call([req(1, 'Arith.Add', [1, 2]), req(2, 'Arith.Divide', [1, 0]), req(3, 'Arith.Add', [1])], {
      onCall: (o) => seen.push(o),
    });
    expect(seen.map((o) => o.outcome).sort()).toEqual(['app_error', 'invalid_params', 'ok']);
  });
});
