/**
 * Numbers that are not exactly integers, against a real node process and a gateway in front of it,
 * over HTTP and TCP, JSON-RPC 2.0 and 1.0 (adversary finding D1): never computed with, always
 * -32602 quoting the literal; the gateway answers what the node answers, also for params nested
 * to the node's bound (its forwarding must not add the depth that turns -32602 into -32600).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseExact } from '../../src/protocol/exact-json.js';
import { ClusterFixture } from '../support/cluster-fixture.js';
import { type GatewayHandle, openGateway } from '../support/gateway.js';
import { type NodeProcess, startNode } from '../support/process.js';
import { httpPeer, type RpcPeer, tcpPeer } from '../support/rpc-peer.js';

const fx = new ClusterFixture(inject('etcdEndpoints'));
let node: NodeProcess;
let gw: GatewayHandle;
const peers: RpcPeer[] = [];

beforeAll(async () => {
  const ns = fx.namespace('inexact');
  node = await startNode({ etcd: fx.endpoints, namespace: ns });
  gw = await openGateway(fx, ns, 1);
});
afterAll(async () => {
  for (const p of peers) p.close();
  await node?.stop();
  await fx.close();
});

const NOT_INTEGERS = [
  '4503599627370496.5',
  '0.99999999999999999999',
  '1e-400',
  '450359962737049.65e1',
  '-1.0000000000000001',
];

async function answer(transport: 'http' | 'tcp', to: 'node' | 'gateway', message: string): Promise<string> {
  const p =
    transport === 'http'
      ? httpPeer(to === 'node' ? node.http : gw.http)
      : await tcpPeer(to === 'node' ? node.tcpPort : gw.tcpPort);
  peers.push(p);
  const { text } = await p.exchange(message, true);
  return text ?? '';
}

describe.each(['http', 'tcp'] as const)('over %s', (transport) => {
  it('refuses every literal that is not exactly an integer with -32602, node and gateway alike', async () => {
    for (const n of NOT_INTEGERS) {
      const wanted = `A: number ${n} cannot be read exactly; send a decimal integer`;
      const two = `{"jsonrpc":"2.0","id":1,"method":"Arith.Add","params":{"A":${n},"B":0}}`;
      const one = `{"id":1,"method":"Arith.Add","params":[{"A":${n},"B":0}]}`;
      for (const to of ['node', 'gateway'] as const) {
        expect(JSON.parse(await answer(transport, to, two)), `${to} ${n}`).toEqual({
          jsonrpc: '2.0',
          id: 1,
          error: { code: -32602, message: wanted },
        });
        expect(JSON.parse(await answer(transport, to, one)), `${to} ${n}`).toEqual({
          id: 1,
          error: wanted,
          result: null,
        });
      }
    }
  });

  it('computes literals that denote integers exactly (1.0, 12.50e1, 9007199254740993.0 in 1.0)', async () => {
    for (const to of ['node', 'gateway'] as const) {
      const two = '{"jsonrpc":"2.0","id":1,"method":"Arith.Add","params":[1.0,12.50e1]}';
      expect(await answer(transport, to, two)).toBe('{"jsonrpc":"2.0","id":1,"result":126}');
      const one = '{"id":1,"method":"Arith.Add","params":[{"A":9007199254740993.0,"B":1e1}]}';
      expect(await answer(transport, to, one)).toBe('{"id":1,"error":null,"result":9007199254741003}');
    }
  });

  it('answers params nested 127 deep as the node does, not -32600', async () => {
    for (const depth of [126, 127]) {
      const params = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      for (const method of ['Arith.Add', 'Arith.Sum', 'Arith.Nope']) {
        const m = `{"jsonrpc":"2.0","id":1,"method":"${method}","params":${params}}`;
        const direct = await answer(transport, 'node', m);
        expect(JSON.parse(direct).error.code, `${method} ${depth}`).not.toBe(-32600);
        expect(await answer(transport, 'gateway', m), `${method} ${depth}`).toBe(direct);
      }
    }
  });
});

describe('the SDK', () => {
  it('refuses JS numbers that are not safe integers with a TypeError, sending nothing', async () => {
    const c = gw.cluster;
    for (const params of [[2 ** 53 + 2, 0], { A: 1.5, B: 0 }, [Number.NaN, 1], parseExact('[1e400,0]')]) {
      await expect(c.call('Arith.Add', params)).rejects.toThrow(TypeError);
      await expect(c.callMany([{ method: 'Arith.Add', params }])).rejects.toThrow(TypeError);
      await expect(c.all('Arith.Add', params)).rejects.toThrow(TypeError);
      await expect(c.any('Arith.Add', params)).rejects.toThrow(TypeError);
      await expect(c.quorum('Arith.Add', params, { k: 1 })).rejects.toThrow(TypeError);
      await expect(c.results.compute('inexact/1', 'Arith.Add', params)).rejects.toThrow(/A: /);
    }
    expect(await c.results.get('inexact/1')).toBeUndefined();
    expect(await c.call('Arith.Add', [2 ** 53 - 2, 1n])).toBe(2 ** 53 - 1);
  });
});
