/**
 * Reading a node's Prometheus text (`GET /metrics`) in tests and the bench: one metric summed over
 * the series whose line contains a filter (e.g. `transport="tcp"`).
 */

/** sumMetric adds up the samples of `metric` in a Prometheus text whose line contains `filter`. */
export function sumMetric(text: string, metric: string, filter = ''): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (filter && !line.includes(filter)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

/** nodeMetric fetches `<http>/metrics` and sums `metric` over the series matching `filter`. */
export async function nodeMetric(http: string, metric: string, filter = ''): Promise<number> {
  const res = await fetch(`${http}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return sumMetric(await res.text(), metric, filter);
}
