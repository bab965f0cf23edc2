import { describe, expect, it } from 'vitest';
import { ConnectionState } from '../../src/registry/connection-state.js';
import type { DiscoveryStatus } from '../../src/registry/types.js';

function state() {
  const seen: DiscoveryStatus['type'][] = [];
  return { s: new ConnectionState((st) => seen.push(st.type)), seen };
}

describe('ConnectionState', () => {
  it('is connected only while the watch is in sync and etcd answers', () => {
    const { s, seen } = state();
    expect(s.staleness()).toBe(Number.POSITIVE_INFINITY);
    s.listed();
    s.setInSync(true);
    expect(s.connected).toBe(true);
    s.setAnswering(false); // a frozen etcd: the watch says nothing, the probe goes unanswered
    expect(s.connected).toBe(false);
    expect(s.staleSince).toBeTypeOf('number');
    s.setAnswering(true);
    expect(seen).toEqual(['connected', 'disconnected', 'connected']);
    expect(s.staleness()).toBe(0);
  });

  it('does not connect on an answer while the watch is still out of sync, and emits nothing twice', () => {
    const { s, seen } = state();
    s.setInSync(true);
    s.setInSync(false);
    s.setAnswering(false);
    s.setAnswering(true);
    expect(s.connected).toBe(false);
    s.setInSync(true);
    s.setInSync(true);
    expect(seen).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('emits nothing once closed', () => {
    const { s, seen } = state();
    s.close();
    s.setInSync(true);
    expect(s.connected).toBe(false);
    expect(seen).toEqual([]);
  });
});
