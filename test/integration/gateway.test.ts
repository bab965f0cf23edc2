/**
 * gateway: `Gateway` in front of real node processes in a real etcd: single calls and batches over
 * HTTP and TCP, errors and hostile input answered exactly as a node answers them, JSON-RPC 1.0
 * int64 exactness, deadlines passed through, probes, /sd, /metrics, and kill -9 of a node under load.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClusterFixture, nextChange } from '../support/cluster-fixture.js';
import { type GatewayHandle, openGateway, post } from '../support/gateway.js';
import { LineClient } from '../support/line-client.js';
import { type NodeProcess, startNode } from '../support/process.js';

const fx = new ClusterFixture(inject('etcdEndpoints'));
afterAll(() => fx.close());

const call = (id: unknown, method: string, params: unknown) => ({ jsonrpc: '2.0', id, method, params });

describe('gateway in front of three nodes', () => {
  let nodes: NodeProcess[];
  let gw: GatewayHandle;

  beforeAll(async () => {
    const ns = fx.namespace('gateway');
    nodes = await Promise.all(
      ['a', 'b', 'c'].map((x) => startNode({ id: `gw-${x}`, etcd: fx.endpoints, namespace: ns, ttl: 2 })),
    );
    gw = await openGateway(fx, ns, 3);
  });

  it("answers curl's Arith.Multiply 7 × 8 with 56", async () => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"Arith.Multiply","params":{"A":7,"B":8}}';
    const { status, text } = await post(gw.http, body);
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({ jsonrpc: '2.0', id: 1, result: 56 });
  });

  it('answers a batch of 100 with 100 results in order', async () => {
    const batch = Array.from({ length: 100 }, (_, i) => call(`c${i}`, 'Arith.Multiply', { A: i, B: i + 1 }));
    const { text } = await post(gw.http, JSON.stringify(batch));
    const answers = JSON.parse(text) as Array<{ id: string; result: number }>;
    expect(answers).toHaveLength(100);
    expect(answers.map((a) => a.id)).toEqual(batch.map((b) => b.id));
    expect(answers.map((a) => a.result)).toEqual(batch.map((_, i) => i * (i + 1)));
  });

  it('answers what a node answers, byte for byte, for errors and hostile input over HTTP', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const bodies = [
      JSON.stringify(call(1, 'Arith.Divide', { A: 7, B: 0 })),
      JSON.stringify(call(2, 'Arith.Multiply', { A: 1 })),
      JSON.stringify(call(3, 'Arith.Nope', {})),
      JSON.stringify(call(4, 'toString', {})),
      `{"jsonrpc":"2.0","id":5,"method":"Arith.Multiply","params":{"A":9007199254740993,"B":1}}`,
      `{"jsonrpc":"2.0","id":6,"method":"Arith.Multiply","params":{"A":1e400,"B":1}}`,
      JSON.stringify(call(null, 'Arith.Add', { A: 1, B: 2 })),
      JSON.stringify([
        call(7, 'Arith.Add', { A: 1, B: 2 }),
        [1, 2],
        3,
        { jsonrpc: '2.0', method: 'Arith.Add', params: { A: 1, B: 1 } },
      ]),
      JSON.stringify([{ jsonrpc: '2.0', method: 'Arith.Add', params: { A: 1, B: 1 } }]),
      '[]',
      `{"jsonrpc":"2.0","id":${deep},"method":"Arith.Add"}`,
      `{"jsonrpc":"2.0","id":8,"method":"Arith.Add","params":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`,
      '{"jsonrpc":"2.0","id":9,"method":',
      '{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"Arith.Add","params":{"A":1,"B":2}}',
      JSON.stringify(Array.from({ length: 1001 }, (_, i) => call(i, 'Arith.Add', { A: 1, B: 1 }))),
      // A number the SDK will not send (not a safe integer) is the caller's -32602, and its
      // batch siblings (a notification's too) are answered on their own.
      JSON.stringify(call(10, 'Arith.Add', { A: 1.5, B: 2 })),
      JSON.stringify([call(11, 'Arith.Add', { A: 1, B: 2 }), call(12, 'Arith.Add', { A: 1.5, B: 2 })]),
      JSON.stringify([call(13, 'Arith.Add', { A: 1, B: 2 }), call(14, 'Arith.Sum', { Values: [1, 2.5] })]),
      JSON.stringify([
        call(15, 'Arith.Add', { A: 1, B: 2 }),
        { jsonrpc: '2.0', method: 'Arith.Add', params: { A: 0.5, B: 1 } },
        call(16, 'Arith.Add', { A: 1, B: 2, C: 0.5 }),
        call(17, 'Arith.Nope', [0.5]),
      ]),
      '{"id":18,"method":"Arith.Multiply","params":[{"A":7,"B":-2.5}]}',
      // So is a method the SDK will not call (the empty name).
      JSON.stringify([call(19, 'Arith.Add', { A: 1, B: 2 }), call(20, '', { A: 1, B: 2 })]),
    ];
    for (const body of bodies) {
      const [viaGateway, direct] = await Promise.all([post(gw.http, body), post(nodes[0]!.http, body)]);
      expect(viaGateway, body.slice(0, 80)).toEqual(direct);
    }
  });

  it('gives a Go-style JSON-RPC 1.0 caller the exact int64 answers a node gives, over TCP', async () => {
    const lines = [
      '{"id":1,"method":"Arith.Multiply","params":[{"A":3037000499,"B":3037000499}]}',
      '{"id":2,"method":"Arith.Multiply","params":[{"A":9007199254740993,"B":1}]}',
      '{"id":3,"method":"Arith.Divide","params":[{"A":9223372036854775807,"B":2}]}',
      '{"id":4,"method":"Arith.Divide","params":[{"A":9007199254740993,"B":0}]}',
      '{"id":5,"method":"Arith.Multiply","params":[{"A":9223372036854775807,"B":2}]}',
      '{"id":[1,{"x":-0}],"method":"Arith.Add","params":[{"A":-9007199254740993,"B":-1}]}',
    ];
    const answers = async (port: number): Promise<string[]> => {
      const c = await LineClient.connect(port);
      c.socket.write(`${lines.join('\n')}\n`);
      const got = await c.take(lines.length);
      c.socket.destroy();
      return got.sort();
    };
    const [viaGateway, direct] = await Promise.all([answers(gw.tcpPort), answers(nodes[1]!.tcpPort)]);
    expect(viaGateway).toEqual(direct);
    expect(viaGateway.join('\n')).toContain('"result":9223372030926249001');
    expect(viaGateway.join('\n')).toContain('"result":9007199254740993');
  });

  it('is ready, lists every node on /sd and counts forwarded calls on /metrics', async () => {
    expect((await fetch(`${gw.http}/readyz`)).status).toBe(200);
    expect((await fetch(`${gw.http}/healthz`)).status).toBe(200);
    const sd = await fetch(`${gw.http}/sd`);
    expect(sd.headers.get('content-type')).toBe('application/json');
    const groups = (await sd.json()) as Array<{ targets: string[]; labels: Record<string, string> }>;
    expect(groups.map((g) => g.labels.__meta_arith_node_id)).toEqual(['gw-a', 'gw-b', 'gw-c']);
    expect(groups.map((g) => g.targets[0])).toEqual(nodes.map((n) => `127.0.0.1:${n.httpPort}`));
    const metrics = await (await fetch(`${gw.http}/metrics`)).text();
    expect(metrics).toMatch(/arith_gateway_calls_total\{method="Arith.Multiply",outcome="ok"[^}]*\} \d+/);
    expect(metrics).toContain('arith_gateway_nodes{gateway="gateway"} 3');
  });

  it('counts every message it receives, by transport, on /metrics', async () => {
    const received = async (transport: string): Promise<number> => {
      const text = await (await fetch(`${gw.http}/metrics`)).text();
      const m = new RegExp(`arith_gateway_requests_total\\{transport="${transport}"[^}]*\\} (\\d+)`).exec(
        text,
      );
      return m ? Number(m[1]) : 0;
    };
    const before = await received('http');
    for (let i = 0; i < 5; i++) await post(gw.http, JSON.stringify(call(i, 'Arith.Add', { A: i, B: 1 })));
    await post(
      gw.http,
      JSON.stringify([call(1, 'Arith.Add', { A: 1, B: 1 }), call(2, 'Arith.Add', { A: 2, B: 1 })]),
    );
    expect((await received('http')) - before).toBe(6); // a batch is one message
  });

  it('loses no call when a node is killed with kill -9 under load', async () => {
    let stop = false;
    let calls = 0;
    const failures: string[] = [];
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const { text } = await post(gw.http, JSON.stringify(call(i, 'Arith.Multiply', { A: w, B: i })));
        const answer = JSON.parse(text) as { result?: number };
        calls++;
        if (answer.result !== w * i) failures.push(text);
      }
    };
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    const until = async (n: number): Promise<void> => {
      while (calls < n) await new Promise((r) => setTimeout(r, 20));
    };
    await until(200);
    const removed = nextChange(gw.cluster, 'removed', 'gw-c', 15_000);
    await nodes[2]!.stop('SIGKILL');
    // The lease runs out (ttl 2 s) and the gateway drops the node; calls keep flowing meanwhile.
    await removed;
    const after = calls;
    await until(after + 200);
    stop = true;
    await Promise.all(workers);
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(400);
  });
});

describe('gateway deadlines', () => {
  it('passes x-arith-deadline-ms (HTTP) and rpc.deadline (TCP) through to the node', async () => {
    const ns = fx.namespace('gateway-slow');
    await startNode({ id: 'gw-slow', etcd: fx.endpoints, namespace: ns, args: ['--delay-ms', '300'] });
    const gw = await openGateway(fx, ns, 1);
    const body = JSON.stringify(call(1, 'Arith.Add', { A: 1, B: 2 }));
    const late = await post(gw.http, body, { 'x-arith-deadline-ms': '50' });
    expect(JSON.parse(late.text)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32001, message: 'deadline exceeded' },
    });
    const inTime = await post(gw.http, body, { 'x-arith-deadline-ms': '5000' });
    expect(JSON.parse(inTime.text)).toEqual({ jsonrpc: '2.0', id: 1, result: 3 });
    const c = await LineClient.connect(gw.tcpPort);
    c.socket.write(`[{"jsonrpc":"2.0","method":"rpc.deadline","params":[50]},${body}]\n`);
    const [line] = await c.take(1);
    c.socket.destroy();
    expect(JSON.parse(line!)).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32001, message: 'deadline exceeded' } },
    ]);
  });
});
