import { LatencyRecorder, round } from './stats.js';

/** LoadFigures are one closed-loop measurement: throughput, latency percentiles and errors. */
export interface LoadFigures {
  calls: number;
  seconds: number;
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** firstError: the first error's message, when there were errors. */
  firstError?: string;
  /** callsPerRequest: calls per request (HTTP request or TCP line) the servers saw (SDK scenarios only). */
  callsPerRequest?: number;
  /** clientCpuPct, serverCpuPct: CPU used during the measured run, % of one core. */
  clientCpuPct?: number;
  serverCpuPct?: number;
}

/** OnceFn makes one call for caller `caller`, its `i`-th; a throw counts as an error. */
export type OnceFn = (caller: number, i: number) => Promise<void>;

/**
 * closedLoop runs `callers` concurrent loops of `once()` back to back for `seconds`, recording each
 * call's latency (errors included), and returns calls/s and p50/p99. A call that throws counts as an
 * error, never as a harness failure.
 */
export async function closedLoop(callers: number, seconds: number, once: OnceFn): Promise<LoadFigures> {
  const latencies = new LatencyRecorder();
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let i = 0; ; i++) {
        const t = performance.now();
        if (t >= end) break;
        try {
          await once(caller, i);
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
        latencies.add(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    calls: latencies.count,
    seconds: round(elapsed),
    callsPerSec: Math.round(latencies.count / elapsed),
    ...latencies.summary(),
    errors,
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/** sleep resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** withTimeout rejects when `promise` has not settled within `ms` (the work itself goes on). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no end within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
