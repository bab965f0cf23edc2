import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, startNode, stopAllNodes } from '../support/process.js';

let node: NodeProcess;

beforeAll(async () => {
  node = await startNode({ standalone: true });
});
afterAll(stopAllNodes);

async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${node.http}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/plain/);
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^(arith_[a-z_]+(?:\{[^}]*\})?) ([0-9.e+-]+)$/.exec(line);
    if (m)
      values.set(
        m[1]!
          .replace(/node="[^"]*",?/, '')
          .replace(/,\}/, '}')
          .replace('{}', ''),
        Number(m[2]),
      );
  }
  return values;
}

const rpc = (body: string): Promise<Response> =>
  fetch(`${node.http}/`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

describe('GET /metrics', () => {
  it('exposes Prometheus counters that move with calls, batches, errors and refusals', async () => {
    const before = await scrape();
    const batch = JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'Arith.Multiply', params: [7, 8] },
      { jsonrpc: '2.0', id: 2, method: 'Arith.Divide', params: [7, 0] },
      { jsonrpc: '2.0', id: 3, method: 'Arith.Add', params: [1.5, 1] },
    ]);
    for (let i = 0; i < 5; i++) await (await rpc(batch)).text();
    await (await rpc('{not json')).text();
    const after = await scrape();
    const delta = (k: string): number => (after.get(k) ?? 0) - (before.get(k) ?? 0);
    expect(delta('arith_calls_total{method="Arith.Multiply",outcome="ok"}')).toBe(5);
    expect(delta('arith_calls_total{method="Arith.Divide",outcome="app_error"}')).toBe(5);
    expect(delta('arith_calls_total{method="Arith.Add",outcome="invalid_params"}')).toBe(5);
    expect(delta('arith_requests_total{transport="http"}')).toBe(5);
    expect(delta('arith_batch_size_sum')).toBe(15);
    expect(delta('arith_rejected_requests_total{transport="http",reason="parse_error"}')).toBe(1);
    expect(delta('arith_call_duration_seconds_count{method="Arith.Multiply"}')).toBe(5);
    expect(after.get('arith_registered')).toBe(0); // standalone
    expect(after.get('arith_inflight_requests')).toBe(0);
    const proc = await (await fetch(`${node.http}/metrics`)).text();
    expect(proc).toMatch(/process_resident_memory_bytes/);
  });
});
