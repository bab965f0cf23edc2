/**
 * A scripted JSON-RPC HTTP server on a real local socket (no arith node), for unit tests of the
 * SDK's HTTP side: it records every request and hands it to a handler that answers as the test says.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Received is one request as the server saw it. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  /** body: the parsed JSON body (an object for a lone call, an array for a batch). */
  body: unknown;
  req: http.IncomingMessage;
  res: http.ServerResponse;
}

/** Handler answers one request; it may also hold `res` and answer later, or never. */
export type Handler = (got: Received) => void;

/** ScriptedHttp is a running scripted server. */
export interface ScriptedHttp {
  url: string;
  /** received lists every request so far, in arrival order. */
  received: Received[];
  /** close destroys open connections and stops the server. */
  close(): Promise<void>;
}

/** scriptedHttp starts a server on 127.0.0.1 that hands each request to `handler`. */
export async function scriptedHttp(handler: Handler): Promise<ScriptedHttp> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const got: Received = { headers: req.headers, body: JSON.parse(text) as unknown, req, res };
      received.push(got);
      handler(got);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** RpcCall is a JSON-RPC request object as the SDK sends it. */
export interface RpcCall {
  id: number;
  method: string;
  params: unknown;
}

/** callsOf returns the request objects of a body, lone or batched. */
export function callsOf(body: unknown): RpcCall[] {
  return (Array.isArray(body) ? body : [body]) as RpcCall[];
}

/** sendJson answers with status 200 (unless given) and `value` as JSON. */
export function sendJson(res: http.ServerResponse, value: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

/** resultOf is the JSON-RPC success response to `call` with `result`. */
export function resultOf(call: RpcCall, result: unknown): unknown {
  return { jsonrpc: '2.0', id: call.id, result };
}
