import { describe, expect, it } from 'vitest';
import { isPong, PING_METHOD, pingReply, pingRequest } from '../../src/protocol/ping.js';

describe('rpc.ping', () => {
  it('answers a ping with pong, echoing its id', () => {
    const reply = pingReply(pingRequest('p1'));
    expect(JSON.parse(reply!)).toEqual({ jsonrpc: '2.0', id: 'p1', result: 'pong' });
    expect(isPong(JSON.parse(reply!), 'p1')).toBe(true);
    expect(isPong(JSON.parse(reply!), 'p2')).toBe(false);
    expect(pingReply(`{"jsonrpc":"2.0","id":7,"method":"${PING_METHOD}"}`)).toBe(
      '{"jsonrpc":"2.0","id":7,"result":"pong"}',
    );
  });

  it('takes nothing else for a ping: calls, batches, notifications, bad JSON, long lines', () => {
    expect(pingReply('{"jsonrpc":"2.0","id":1,"method":"Arith.Multiply","params":{"A":1,"B":2}}')).toBe(
      undefined,
    );
    expect(pingReply(`[${pingRequest('p1')}]`)).toBe(undefined);
    expect(pingReply(`{"jsonrpc":"2.0","method":"${PING_METHOD}"}`)).toBe(undefined);
    expect(pingReply(`{"jsonrpc":"2.0","id":null,"method":"${PING_METHOD}"}`)).toBe(undefined);
    expect(pingReply(`{"method":"${PING_METHOD}",`)).toBe(undefined);
    expect(pingReply(`{"jsonrpc":"2.0","id":"${'x'.repeat(300)}","method":"${PING_METHOD}"}`)).toBe(
      undefined,
    );
    expect(pingReply('null')).toBe(undefined);
  });
});
