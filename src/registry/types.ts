/**
 * Registry value types, apart from the etcd implementation (as in etcd's naming/endpoints):
 * what a node publishes about itself and what discovery hands to clients.
 */

/**
 * Endpoints are the addresses a node advertises: an HTTP URL and a TCP `host:port`. A node serving
 * TLS advertises `https://…` and `tls://host:port`. The TCP marker is a prefix rather than a new
 * member on purpose: a client that predates TLS validates `tcp` as a bare `host:port`, so it skips
 * (and logs once) a TLS node's record instead of sending plain-text lines into a TLS port and
 * counting the resets against the node; a new member would be dropped by those readers silently.
 */
export interface Endpoints {
  /** http: base URL of the JSON-RPC HTTP listener, e.g. `http://10.0.0.5:7070` or `https://…`. */
  http: string;
  /** tcp: `host:port` of the newline-delimited JSON-RPC listener, `tls://host:port` over TLS. */
  tcp: string;
}

/** NodeInfo is the JSON value stored at `/<namespace>/nodes/<nodeId>`, attached to the node's lease. */
export interface NodeInfo {
  /** v: schema version of this record (1). */
  v: 1;
  id: string;
  endpoints: Endpoints;
  /** methods: the JSON-RPC methods the node serves. */
  methods: string[];
  /** weight: relative share of calls for weighted balancing (default 1). */
  weight: number;
  /** version: the arith-cluster package version the node runs. */
  version: string;
  /** startedAt: ISO-8601 time the node process started. */
  startedAt: string;
  pid: number;
  hostname: string;
}

/** NodeChange is one membership change seen by discovery. */
export type NodeChange =
  | { type: 'added'; node: NodeInfo }
  | { type: 'updated'; node: NodeInfo; previous: NodeInfo }
  | { type: 'removed'; node: NodeInfo };

/**
 * DiscoveryStatus is one change of the client's etcd state, keyed on `type` (as nats.js's status):
 * - `connected`: the watch is connected and in sync; the node list is current.
 * - `disconnected`: etcd is unreachable or the watch broke; the last-known nodes stay, stale since `staleSince`.
 * - `relisted`: a full listing was applied (the first one, after a reconnect, after a compaction).
 * `at` is the epoch ms when it happened.
 */
export type DiscoveryStatus =
  | { type: 'connected'; at: number }
  | { type: 'disconnected'; at: number; staleSince: number }
  | { type: 'relisted'; at: number; revision: string; nodes: number };

/** DiscoveryState is a snapshot of the client's etcd state. */
export interface DiscoveryState {
  /** connected: the watch is connected and in sync. */
  connected: boolean;
  /** staleSince: epoch ms since when the node list may be out of date (undefined while connected or before the first list). */
  staleSince: number | undefined;
  /** stalenessMs: ms since the list was last known in sync (0 while connected, Infinity before the first list). */
  stalenessMs: number;
  /** revision: the last etcd revision applied (decimal string; `'0'` before the first list). */
  revision: string;
  /** relists: how many full listings were applied (the first one included). */
  relists: number;
}

/**
 * NodeSource is the seam between discovery and its users: a list of live nodes, their changes and
 * the state of the connection behind them. `Discovery` is the etcd implementation; tests use fakes.
 */
export interface NodeSource {
  /** nodes returns the live nodes, sorted by id. */
  nodes(): NodeInfo[];
  /** status returns a snapshot of the source's connection state. */
  status(): DiscoveryState;
  /** on subscribes to `change` events (one per added, updated or removed node). */
  on(event: 'change', listener: (change: NodeChange) => void): this;
  /** on subscribes to `status` events (every change of the connection state). */
  on(event: 'status', listener: (status: DiscoveryStatus) => void): this;
  /** off unsubscribes a listener added with `on`. */
  off(event: 'change', listener: (change: NodeChange) => void): this;
  off(event: 'status', listener: (status: DiscoveryStatus) => void): this;
  /** close stops following changes; idempotent. */
  close(): Promise<void>;
}

/** RegistrationState is where a node's registration stands (`replaced`: another process took its id over). */
export type RegistrationState = 'idle' | 'registering' | 'registered' | 'recovering' | 'replaced' | 'closed';
