import type { Watcher } from 'etcd3';

/**
 * watchConnected resolves once `watcher` is connected, or at once when `stop` aborts; it rejects
 * with the watcher's first error before that.
 */
export function watchConnected(watcher: Watcher, stop: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    watcher.once('connected', () => resolve());
    watcher.once('error', reject);
    stop.addEventListener('abort', () => resolve(), { once: true });
  });
}
