import type { ServerResponse } from 'node:http';

/** MetricsSource renders a Prometheus text exposition (NodeMetrics, GatewayMetrics). */
export interface MetricsSource {
  render(): Promise<{ contentType: string; body: string }>;
}

/** serveMetrics answers `GET /metrics` with `metrics` rendered (500 if rendering fails); it never rejects. */
export async function serveMetrics(res: ServerResponse, metrics: MetricsSource): Promise<void> {
  try {
    const { contentType, body } = await metrics.render();
    res.writeHead(200, { 'content-type': contentType }).end(body);
  } catch {
    res.writeHead(500).end();
  }
}
