import type http from 'node:http';

/** KEEP_ALIVE_MS: keep-alive without an idle timeout; outlives common client agents' idle sockets. */
const KEEP_ALIVE_MS = 65_000;

/**
 * httpServerTimeouts are the HTTP server's defences against slow and silent clients, derived from
 * the node's idle and request timeouts (0 idle: the previous, generous values):
 * - `headersTimeout`: headers must arrive within the idle timeout (at most 60 s);
 * - `requestTimeout`: the whole request (headers and body) within the request timeout, at least the
 *   headers timeout; Node counts only receiving, never the call, so it cannot cut a call short;
 * - `keepAliveTimeout`: an idle keep-alive socket closes after the idle timeout (at most 65 s);
 *   Node advertises it (`Keep-Alive: timeout=`), and undici-based clients retire their socket first;
 * - `connectionsCheckingInterval`: how often Node checks the first two (a quarter of the headers
 *   timeout), so a slow sender is cut within 1.25× of it rather than up to 30 s late.
 */
export function httpServerTimeouts(idleMs: number, requestTimeoutMs: number): http.ServerOptions {
  const headersTimeout = idleMs > 0 ? Math.min(idleMs, 60_000) : 60_000;
  return {
    headersTimeout,
    requestTimeout: Math.max(headersTimeout, requestTimeoutMs),
    keepAliveTimeout: idleMs > 0 ? Math.min(idleMs, KEEP_ALIVE_MS) : KEEP_ALIVE_MS,
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(headersTimeout / 4))),
  };
}
