import { sumMetric } from '../../test/support/node-metrics.js';

/** NodeCounters are the totals a node's /metrics reports: calls answered and requests served
 * (HTTP requests and TCP lines). */
export interface NodeCounters {
  calls: number;
  requests: number;
}

/** nodeCounters scrapes `GET /metrics` of every node and adds up calls and requests. */
export async function nodeCounters(httpBases: string[]): Promise<NodeCounters> {
  const texts = await Promise.all(
    httpBases.map(async (base) => {
      const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) });
      return res.text();
    }),
  );
  return {
    calls: texts.reduce((a, t) => a + sumMetric(t, 'arith_calls_total'), 0),
    requests: texts.reduce((a, t) => a + sumMetric(t, 'arith_requests_total'), 0),
  };
}
