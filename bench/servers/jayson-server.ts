/**
 * A plain jayson 5 HTTP JSON-RPC server with `Arith.Multiply`, the alternative a user would write
 * by hand; run in its own process by the bench. Prints `{"port":N}` once listening.
 * Usage: node --import tsx bench/servers/jayson-server.ts [port=0]
 */
import type { AddressInfo } from 'node:net';
import jayson from 'jayson';

type Callback = (error: unknown, result?: unknown) => void;

const server = new jayson.Server({
  'Arith.Multiply': (params: unknown, callback: Callback) => {
    const p = params as { A?: unknown; B?: unknown } | [{ A?: unknown; B?: unknown }];
    const { A, B } = Array.isArray(p) ? (p[0] ?? {}) : p;
    if (typeof A !== 'number' || typeof B !== 'number') {
      callback({ code: -32602, message: 'A and B must be numbers' });
      return;
    }
    callback(null, A * B);
  },
});

const http = server.http();
http.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (http.address() as AddressInfo).port }));
});
process.on('SIGTERM', () => http.close(() => process.exit(0)));
