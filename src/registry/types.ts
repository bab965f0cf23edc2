/**
 * Registry value types, apart from the etcd implementation (as in etcd's naming/endpoints):
 * what a node publishes about itself and what discovery hands to clients.
 */

/** Endpoints are the addresses a node advertises: an HTTP URL and a TCP `host:port`. */
export interface Endpoints {
  /** http: base URL of the JSON-RPC HTTP listener, e.g. `http://10.0.0.5:7070`. */
  http: string;
  /** tcp: `host:port` of the newline-delimited JSON-RPC listener. */
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

/** RegistrationState is where a node's registration stands. */
export type RegistrationState = 'idle' | 'registering' | 'registered' | 'recovering' | 'closed';
