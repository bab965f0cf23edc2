import type { RejectReason } from './metrics.js';

/**
 * TransportObserver hears what a transport (HTTP or TCP) received: messages, with their batch
 * length (undefined for a single request), and refusals, with their reason (for metrics).
 */
export interface TransportObserver {
  onMessage(batch: number | undefined): void;
  onReject(reason: RejectReason): void;
}
