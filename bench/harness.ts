import { type EtcdHandle, startEtcd } from '../test/support/etcd.js';
import { type NodeProcess, startNode, stopAllNodes } from '../test/support/process.js';

/** Measured is one scenario's figures. */
export interface Measured {
  scenario: string;
  callers: number;
  calls: number;
  seconds: number;
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** BenchEnv is a running etcd and a set of node processes for one bench run. */
export interface BenchEnv {
  etcd: EtcdHandle;
  namespace: string;
  nodes: NodeProcess[];
  stop(): Promise<void>;
}

/** startCluster starts (or reuses, via ETCD_ENDPOINTS) an etcd and `n` arith-node processes. */
export async function startCluster(n: number, args: string[] = []): Promise<BenchEnv> {
  const etcd = await startEtcd();
  const namespace = `bench-${process.pid}`;
  const nodes = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      startNode({ id: `bench-${i}`, etcd: etcd.endpoints, namespace, args, waitFor: 'registered' }),
    ),
  );
  return {
    etcd,
    namespace,
    nodes,
    stop: async () => {
      await stopAllNodes();
      await etcd.stop();
    },
  };
}

/**
 * measure runs `callers` concurrent loops of `once()` for `seconds`, recording each call's latency;
 * it returns calls/s and latency percentiles. A call that throws counts as an error.
 */
export async function measure(
  scenario: string,
  callers: number,
  seconds: number,
  once: (caller: number, i: number) => Promise<void>,
): Promise<Measured> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        try {
          await once(caller, i);
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    scenario,
    callers,
    calls: latencies.length,
    seconds: round(elapsed),
    callsPerSec: Math.round(latencies.length / elapsed),
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    errors,
  };
}

/** round keeps three significant decimals for the table. */
export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
