/**
 * Membership against a fake node source (no etcd, no sockets are opened: NodeClients dial lazily):
 * it follows the source's list and changes, rebuilds the picker, and keeps a node's connections
 * only while the endpoint its transport dials is unchanged.
 */
import { describe, expect, it, vi } from 'vitest';
import { pickerBuilder } from '../../src/client/balance/balancers.js';
import { Membership } from '../../src/client/membership.js';
import type { NodeClientOptions } from '../../src/client/node-client.js';
import type { TransportName } from '../../src/client/transport/channel.js';
import type { NodeInfo } from '../../src/registry/types.js';
import { FakeSource } from '../support/fake-node-source.js';

function info(id: string, ports: { http?: number; tcp?: number; weight?: number } = {}): NodeInfo {
  return {
    v: 1,
    id,
    endpoints: { http: `http://127.0.0.1:${ports.http ?? 7070}`, tcp: `127.0.0.1:${ports.tcp ?? 7071}` },
    methods: ['Arith.Multiply'],
    weight: ports.weight ?? 1,
    version: '0.1.0',
    startedAt: '2024-01-01T00:00:00.000Z',
    pid: 1,
    hostname: 'h',
  };
}

function membership(transport: TransportName = 'tcp', exclude: string[] = []): Membership {
  const options: NodeClientOptions = {
    transport,
    connections: 1,
    pipeline: 32,
    maxBatch: 128,
    connectTimeoutMs: 500,
  };
  return new Membership(pickerBuilder('round-robin'), options, exclude);
}

const ids = (m: Membership): string[] => m.clients().map((c) => c.id);

describe('Membership', () => {
  it('never takes in an excluded node (a node’s own client of its peers): not listed, picked, counted or announced', async () => {
    const m = membership('tcp', ['self']);
    const source = new FakeSource([info('self'), info('a')]);
    const seen: string[] = [];
    m.on('nodes', (c) => seen.push(`${c.type} ${c.node.id}`));
    m.attach(source);
    source.emit('change', { type: 'added', node: info('b') });
    source.emit('change', { type: 'updated', node: info('self', { tcp: 9999 }), previous: info('self') });
    source.emit('change', { type: 'removed', node: info('self') });
    expect(ids(m)).toEqual(['a', 'b']);
    expect(m.size).toBe(2);
    expect(seen).toEqual(['added a', 'added b']);
    expect(m.picker.pick({ exclude: new Set(['a', 'b']) })).toBeUndefined();
    await m.close();
  });

  it('takes the source’s current nodes, then follows its changes, rebuilding the picker each time', async () => {
    const m = membership();
    const source = new FakeSource([info('b'), info('a')]);
    const seen: string[] = [];
    m.on('nodes', (c) => seen.push(`${c.type} ${c.node.id}`));
    m.attach(source);
    expect(ids(m)).toEqual(['a', 'b']);
    const before = m.picker;
    source.emit('change', { type: 'added', node: info('c') });
    expect(ids(m)).toEqual(['a', 'b', 'c']);
    expect(m.picker).not.toBe(before);
    source.emit('change', { type: 'removed', node: info('a') });
    source.emit('change', { type: 'removed', node: info('zz') }); // unknown: nothing happens
    expect(ids(m)).toEqual(['b', 'c']);
    expect(m.nodes().map((n) => n.id)).toEqual(['b', 'c']);
    expect(seen).toEqual(['added a', 'added b', 'added c', 'removed a']);
    await m.close();
    expect(m.size).toBe(0);
  });

  it('keeps a node’s client when an update leaves its endpoints alone (weight change)', async () => {
    const m = membership();
    const source = new FakeSource([info('a')]);
    m.attach(source);
    const client = m.clients()[0]!;
    const close = vi.spyOn(client, 'close');
    source.emit('change', { type: 'updated', node: info('a', { weight: 5 }), previous: info('a') });
    expect(m.clients()[0]).toBe(client);
    expect(client.weight).toBe(5);
    expect(close).not.toHaveBeenCalled();
    await m.close();
  });

  it('TCP transport: a node back on a new TCP port (same HTTP) gets a new client dialling the new port', async () => {
    const m = membership('tcp');
    const source = new FakeSource([info('a', { tcp: 7071 })]);
    m.attach(source);
    const old = m.clients()[0]!;
    const close = vi.spyOn(old, 'close');
    source.emit('change', { type: 'updated', node: info('a', { tcp: 7072 }), previous: info('a') });
    const now = m.clients()[0]!;
    expect(now).not.toBe(old);
    expect(now.info.endpoints.tcp).toBe('127.0.0.1:7072');
    expect(close).toHaveBeenCalled();
    await m.close();
  });

  it('HTTP transport: a new HTTP port replaces the client, a new TCP port alone does not', async () => {
    const m = membership('http');
    const source = new FakeSource([info('a')]);
    m.attach(source);
    const first = m.clients()[0]!;
    source.emit('change', { type: 'updated', node: info('a', { tcp: 7072 }), previous: info('a') });
    expect(m.clients()[0]).toBe(first);
    source.emit('change', {
      type: 'updated',
      node: info('a', { http: 7073, tcp: 7072 }),
      previous: info('a'),
    });
    expect(m.clients()[0]).not.toBe(first);
    expect(m.clients()[0]!.info.endpoints.http).toBe('http://127.0.0.1:7073');
    await m.close();
  });
});
