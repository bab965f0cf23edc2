import { LineClient } from './line-client.js';

/** Exchanged is what a node answered one message with: the body or line, or undefined for nothing. */
export interface Exchanged {
  text: string | undefined;
  /** status: the HTTP status (TCP: undefined). */
  status?: number;
}

/** RpcPeer sends raw JSON-RPC messages to one node over one transport. */
export interface RpcPeer {
  readonly transport: 'http' | 'tcp';
  /**
   * exchange sends one message. With `owed`, it waits (up to `timeoutMs`) for the answer and
   * resolves `text: undefined` if none came; without, it proves nothing was answered by a positive
   * signal: over HTTP a 204, over TCP a probe call sent right after that is answered with no line
   * before it.
   */
  exchange(message: string | Buffer, owed: boolean, timeoutMs?: number): Promise<Exchanged>;
  close(): void;
}

/** httpPeer POSTs each message to `base` (e.g. `http://127.0.0.1:40123`). */
export function httpPeer(base: string): RpcPeer {
  return {
    transport: 'http',
    async exchange(message, _owed, timeoutMs = 10_000) {
      const res = await fetch(`${base}/`, {
        method: 'POST',
        body: message,
        headers: { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      return { status: res.status, text: res.status === 204 && text === '' ? undefined : text };
    },
    close() {},
  };
}

let probes = 0;

/** tcpPeer opens one newline-delimited connection to `port`; messages must not contain a newline. */
export async function tcpPeer(port: number): Promise<RpcPeer> {
  const client = await LineClient.connect(port);
  return {
    transport: 'tcp',
    async exchange(message, owed, timeoutMs = 10_000) {
      const line = typeof message === 'string' ? Buffer.from(message) : message;
      if (line.includes(10)) throw new Error('tcpPeer: a message cannot contain a newline');
      if (owed) {
        client.socket.write(Buffer.concat([line, Buffer.from('\n')]));
        const [text] = await client.take(1, timeoutMs).catch(() => [undefined]);
        return { text };
      }
      const probe = `probe-${process.pid}-${++probes}`;
      const probeLine = `{"jsonrpc":"2.0","id":"${probe}","method":"Arith.Add","params":[1,2]}\n`;
      client.socket.write(Buffer.concat([line, Buffer.from(`\n${probeLine}`)]));
      let text: string | undefined;
      for (;;) {
        const [got] = await client.take(1, timeoutMs);
        if (got?.includes(`"${probe}"`)) return { text };
        text ??= got;
      }
    },
    close() {
      client.socket.destroy();
    },
  };
}
