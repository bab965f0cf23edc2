/** One value as prom-client's registry formats it (what a metric's `get()` lists). */
export interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/**
 * BucketCounts is one histogram series kept with plain arithmetic (no prom-client): observations in
 * fixed buckets, their sum and count. `values()` lists them as prom-client's registry renders a
 * histogram: cumulative `le` buckets, `+Inf`, `_sum`, `_count`.
 */
export class BucketCounts {
  /** counts[i]: values ≤ buckets[i] and > buckets[i−1]; the last slot counts the rest (+Inf). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly buckets: readonly number[]) {
    this.counts = new Float64Array(buckets.length + 1);
  }

  /** observe counts one value into the first bucket that holds it (`le` is inclusive). */
  observe(value: number): void {
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  /** values appends this series to `out` as `<name>_bucket`, `_sum` and `_count`, with `labels` after `le`. */
  values(name: string, labels: Record<string, string>, out: MetricValue[]): void {
    let cumulative = 0;
    this.buckets.forEach((le, i) => {
      cumulative += this.counts[i]!;
      out.push({ labels: { le, ...labels }, value: cumulative, metricName: `${name}_bucket` });
    });
    out.push({ labels: { le: '+Inf', ...labels }, value: this.count, metricName: `${name}_bucket` });
    out.push({ labels, value: this.sum, metricName: `${name}_sum` });
    out.push({ labels, value: this.count, metricName: `${name}_count` });
  }
}
