import type { TransportKind } from './errors.js';
import { TransportError } from './errors.js';
import type { NodeHealth } from './node-health.js';

/** PROBE_TIMEOUT_MS: how long a half-open node's probe ping waits; a timeout is followed by the next at once. */
export const PROBE_TIMEOUT_MS = 2_000;

/**
 * NodeProber feeds a node's failures to its NodeHealth and, after an ejection, probes the node
 * itself: one `ping` when the ejection ends, the next when that fails (at once after a timeout,
 * after the doubled ejection otherwise), until one answers and the breaker closes. User calls
 * never wait on a probe. Its timer is unref'd.
 */
export class NodeProber {
  readonly #health: NodeHealth;
  readonly #ping: (timeoutMs: number) => Promise<void>;
  readonly #timeoutMs: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(health: NodeHealth, ping: (timeoutMs: number) => Promise<void>, timeoutMs = PROBE_TIMEOUT_MS) {
    this.#health = health;
    this.#ping = ping;
    this.#timeoutMs = timeoutMs;
  }

  /** onFailure counts a failure against the node; an ejection schedules its probe. */
  onFailure(kind: TransportKind): void {
    if (this.#health.onFailure(kind, performance.now())) this.#schedule();
  }

  /** close stops probing. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  /** #schedule arms the probe for when the ejection ends (unless one is armed or running). */
  #schedule(): void {
    if (this.#closed || this.#timer !== undefined || this.#health.probing) return;
    const wait = Math.max(0, this.#health.ejectedUntil - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#probe();
    }, wait);
    this.#timer.unref();
  }

  /** #probe pings the node once; the breaker closes on its answer, else the next probe is scheduled. */
  async #probe(): Promise<void> {
    const health = this.#health;
    if (this.#closed) return;
    if (health.probeDue(performance.now())) {
      health.startProbe();
      try {
        await this.#ping(this.#timeoutMs);
        health.onProbe(true, undefined, performance.now());
      } catch (error) {
        const kind = error instanceof TransportError ? error.kind : 'reset';
        health.onProbe(false, kind, performance.now());
      }
    }
    if (health.state(performance.now()) !== 'closed') this.#schedule();
  }
}
