/** NodeCounters are the totals a node's /metrics reports: calls answered and requests served
 * (HTTP requests and TCP lines). */
export interface NodeCounters {
  calls: number;
  requests: number;
}

function sum(text: string, metric: string, filter?: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (filter && !line.includes(filter)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
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
    calls: texts.reduce((a, t) => a + sum(t, 'arith_calls_total'), 0),
    requests: texts.reduce((a, t) => a + sum(t, 'arith_requests_total'), 0),
  };
}
