/**
 * The balancer's seam (as in grpc-js: resolver → balancer → picker): discovery pushes a node list,
 * a PickerBuilder turns it into an immutable Picker, and every call asks the current Picker once
 * per attempt. Strategies live in `balancer-*.ts`; none of them touches the network.
 */

/** PickTarget is what a picker may look at for one node. Implemented by the client's node handles. */
export interface PickTarget {
  /** id: the node id (unique within a picker). */
  readonly id: string;
  /** weight: relative share for weighted strategies (> 0). */
  readonly weight: number;
  /** inflight: calls sent to this node and not yet answered. */
  readonly inflight: number;
  /** latencyMs: the node's EWMA latency now (ms), 0 while unknown. */
  latencyMs(now: number): number;
  /** available: false while the node is ejected (refused connections, timeouts, open breaker). */
  available(now: number): boolean;
}

/** PickOptions narrow one pick. */
export interface PickOptions {
  /** key: a caller key; consistent-hash maps equal keys to the same node while membership holds. */
  key?: string | undefined;
  /** exclude: node ids not to pick (nodes already tried by this call). */
  exclude?: ReadonlySet<string> | undefined;
  /** now: the clock reading to use (ms); defaults to `performance.now()`. */
  now?: number | undefined;
}

/**
 * Picker chooses one node per attempt. Ejected nodes are skipped; when every remaining node is
 * ejected, a picker still returns one of them (panic mode: better to try than to fail), and it
 * returns `undefined` only when no node is left after `exclude`.
 */
export interface Picker<T extends PickTarget = PickTarget> {
  pick(options?: PickOptions): T | undefined;
  /** size: how many nodes this picker was built from. */
  readonly size: number;
}

/** RandomSource returns numbers uniform in [0, 1), like `Math.random` (the default everywhere). */
export type RandomSource = () => number;

/**
 * PickerBuilder builds an immutable picker from the live nodes; called on every membership change.
 * `random` is the source of the strategy's random draws (default `Math.random`; tests seed it).
 */
export type PickerBuilder = <T extends PickTarget>(targets: readonly T[], random?: RandomSource) => Picker<T>;

/** BalancerName names the built-in strategies; `p2c` is the default. */
export type BalancerName = 'p2c' | 'round-robin' | 'random' | 'weighted' | 'consistent-hash';
