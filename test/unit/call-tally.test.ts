import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CallTally } from '../../src/node/call-tally.js';
import { NodeMetrics } from '../../src/node/metrics.js';

describe('CallTally', () => {
  it('counts outcomes per method and puts each duration in the first bucket that holds it', async () => {
    const t = new CallTally('d_seconds', 'help', [0.001, 0.01]);
    for (const s of [0.0005, 0.001, 0.002, 0.5]) t.record('Arith.Add', 'ok', s);
    t.record('Arith.Divide', 'app_error', 0.02);
    expect([...t.counts()]).toEqual([
      { method: 'Arith.Add', outcome: 'ok', calls: 4 },
      { method: 'Arith.Divide', outcome: 'app_error', calls: 1 },
    ]);
    const { values } = await t.get();
    const add = values
      .filter((v) => v.labels.method === 'Arith.Add')
      .map((v) => [v.metricName, v.labels.le, v.value]);
    expect(add).toEqual([
      ['d_seconds_bucket', 0.001, 2], // ≤ 0.001: 0.0005 and 0.001 (le is inclusive)
      ['d_seconds_bucket', 0.01, 3],
      ['d_seconds_bucket', '+Inf', 4],
      ['d_seconds_sum', undefined, 0.5035],
      ['d_seconds_count', undefined, 4],
    ]);
    t.reset();
    expect((await t.get()).values).toEqual([]);
  });

  it("renders through NodeMetrics' registry as a Prometheus histogram and a counter", async () => {
    const m = new NodeMetrics({ inflight: () => 0, registered: () => true, reregistrations: () => 0 });
    m.onCall({ method: 'Arith.Multiply', outcome: 'ok', ms: 0.02 });
    m.onCall({ method: 'Arith.Multiply', outcome: 'ok', ms: 3 });
    const first = (await m.render()).body;
    expect(first).toContain('arith_calls_total{method="Arith.Multiply",outcome="ok"} 2');
    expect(first).toContain('# TYPE arith_call_duration_seconds histogram');
    expect(first).toContain('arith_call_duration_seconds_bucket{le="0.00005",method="Arith.Multiply"} 1');
    expect(first).toContain('arith_call_duration_seconds_bucket{le="+Inf",method="Arith.Multiply"} 2');
    expect(first).toContain('arith_call_duration_seconds_count{method="Arith.Multiply"} 2');
    m.onCall({ method: 'Arith.Multiply', outcome: 'ok', ms: 1 });
    // A second scrape adds only what happened since the first (the counter is not double-counted).
    expect((await m.render()).body).toContain('arith_calls_total{method="Arith.Multiply",outcome="ok"} 3');
    expect(m.registry).toBeInstanceOf(Registry);
  });
});
