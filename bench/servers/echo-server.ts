/**
 * The floor of the HTTP stack: a bare `node:http` server that reads a JSON-RPC request body,
 * parses it and answers `{ jsonrpc, id, result: A*B }`: no framework, no validation beyond that.
 * Run in its own process by the bench; prints `{"port":N}` once listening.
 * Usage: node --import tsx bench/servers/echo-server.ts [port=0]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body: string;
    try {
      const msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        id?: unknown;
        params?: { A?: number; B?: number };
      };
      body = JSON.stringify({
        jsonrpc: '2.0',
        id: msg.id,
        result: (msg.params?.A ?? 0) * (msg.params?.B ?? 0),
      });
    } catch {
      body = '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}';
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
