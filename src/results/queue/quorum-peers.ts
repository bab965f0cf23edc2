/**
 * LazyQuorumPeers: a worker node's client of its peers, for queued `quorum` chunks. It is an SDK
 * client (discovery, per-node connections, auto-batching, breakers) on the registry's etcd and the
 * node's namespace that leaves the node itself out, opened the first time a quorum chunk asks and
 * kept until the node closes: a node that never works a quorum chunk opens nothing.
 * Logs `quorum peers client opened` and, when opening fails, `quorum peers client not opened`.
 */
import type { CallOptions } from '../../client/call-one.js';
import type { Cluster } from '../../client/cluster.js';
import { ClusterClosedError } from '../../client/errors.js';
import type { Receipt } from '../../client/fanout.js';
import type { NodeTlsClientOptions } from '../../client/transport/node-tls.js';
import type { Logger } from '../../logger.js';
import type { EtcdOptions } from '../../registry/etcd-client.js';
import type { QuorumPeers } from './quorum-vote.js';

/** LazyQuorumPeersOptions: where the nodes register, and who is asking (left out of the calls). */
export interface LazyQuorumPeersOptions {
  etcd: EtcdOptions;
  namespace: string;
  selfId: string;
  logger: Logger;
  /** tls: how to verify TLS peers and what to show mTLS peers (see PeerTls); unset: defaults. */
  tls?: PeerTls | undefined;
}

/** PeerTls: the node's TLS settings as a client of its peers (the SDK's node TLS options). */
export type PeerTls = NodeTlsClientOptions;

/** LazyQuorumPeers opens its SDK client on first use; a failed open is tried again by the next call. */
export class LazyQuorumPeers implements QuorumPeers {
  readonly #o: LazyQuorumPeersOptions;
  #cluster: Promise<Cluster> | undefined;
  #closed = false;

  constructor(options: LazyQuorumPeersOptions) {
    this.#o = options;
  }

  /** opened tells whether the SDK client was opened (or is being opened). */
  get opened(): boolean {
    return this.#cluster !== undefined;
  }

  /** all asks every other live node (see QuorumPeers); ClusterClosedError once closed. */
  async all(method: string, params: unknown, options?: CallOptions): Promise<Receipt[]> {
    const cluster = await this.#open();
    return cluster.all(method, params, options);
  }

  /** close closes the SDK client, if it was opened. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const cluster = await this.#cluster?.catch(() => undefined);
    await cluster?.close();
  }

  #open(): Promise<Cluster> {
    if (this.#closed) return Promise.reject(new ClusterClosedError());
    if (this.#cluster) return this.#cluster;
    const { etcd, namespace, selfId, logger, tls } = this.#o;
    // Loaded on first use: the SDK (undici, discovery, balancers) costs a node at rest ~9 MB of RSS.
    const opening = import('../../client/cluster.js').then(({ connect }) =>
      connect({ etcd, namespace, logger, excludeNodes: [selfId], ...(tls ? { tls } : {}) }),
    );
    this.#cluster = opening;
    opening.then(
      (cluster) => logger.info({ peers: cluster.nodes().length }, 'quorum peers client opened'),
      (error: unknown) => {
        if (this.#cluster === opening) this.#cluster = undefined;
        logger.warn({ err: (error as Error).message }, 'quorum peers client not opened');
      },
    );
    return opening;
  }
}
