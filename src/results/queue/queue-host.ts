import type { Etcd3 } from 'etcd3';
import type { Logger } from '../../logger.js';
import type { SpaceOptions } from './space.js';

/** QueueHost is what the queue needs: the etcd client holding results and queue, the namespace, a logger, the quota. */
export interface QueueHost {
  readonly etcd: Etcd3;
  readonly namespace: string;
  readonly logger: Logger;
  readonly space?: SpaceOptions | undefined;
}
