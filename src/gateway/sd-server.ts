import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeInfo } from '../registry/types.js';
import { serveSd } from './service-discovery.js';

/** SdServerOptions configure the stand-alone service-discovery server. */
export interface SdServerOptions {
  host?: string;
  port?: number;
  namespace: string;
  /** nodes lists the live nodes now (e.g. `cluster.nodes`). */
  nodes: () => readonly NodeInfo[];
}

/**
 * SdServer answers Prometheus `http_sd_config` on `GET /sd` (and `GET /`) for operators who run no
 * gateway, plus `GET /healthz`; anything else is 404 and other methods 405.
 */
export class SdServer {
  readonly #server: http.Server;
  readonly #opts: SdServerOptions;

  constructor(opts: SdServerOptions) {
    this.#opts = opts;
    this.#server = http.createServer({ requestTimeout: 10_000, headersTimeout: 10_000 }, (req, res) => {
      req.resume();
      const path = (req.url ?? '/').split('?', 1)[0];
      const known = path === '/sd' || path === '/' || path === '/healthz';
      if (!known)
        return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /sd\n');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return void res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('use GET\n');
      }
      if (path === '/healthz')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      serveSd(res, opts.nodes(), opts.namespace);
    });
    this.#server.keepAliveTimeout = 30_000;
  }

  /** listen binds the socket; resolves with the bound address. */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port ?? 0, this.#opts.host ?? '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** close stops the server and its connections. */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    return closed;
  }
}
