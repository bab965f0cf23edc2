import { type Cluster, Gateway, type GatewayOptions } from '../../src/index.js';
import type { ClusterFixture } from './cluster-fixture.js';

/** GatewayHandle is an in-process gateway in front of a namespace, and how to reach it. */
export interface GatewayHandle {
  gateway: Gateway;
  /** cluster: the gateway's SDK client. */
  cluster: Cluster;
  /** http: base URL, e.g. `http://127.0.0.1:40123`. */
  http: string;
  httpPort: number;
  tcpPort: number;
}

/**
 * openGateway starts a gateway on free ports whose SDK client (opened through `fx`, closed with
 * it) sees `nodes` live nodes of `ns`; the gateway is closed at `fx.close()`.
 */
export async function openGateway(
  fx: ClusterFixture,
  ns: string,
  nodes: number,
  options: Partial<GatewayOptions> = {},
): Promise<GatewayHandle> {
  const cluster = await fx.open(ns);
  await cluster.ready({ nodes, timeoutMs: 15_000 });
  const gateway = new Gateway({ cluster, ...options });
  await gateway.start();
  fx.cleanups.push(() => gateway.close());
  const { http, tcp } = gateway.addresses;
  return { gateway, cluster, http: `http://127.0.0.1:${http.port}`, httpPort: http.port, tcpPort: tcp.port };
}

/** post sends `body` to `url` and resolves with the status and the response text. */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, text: await res.text() };
}
