import type { Etcd3 } from 'etcd3';
import { abortable } from '../util/abortable.js';
import { sleep } from '../util/backoff.js';
import { etcdCallTiming } from './etcd-client.js';

/** EtcdProbeOptions: what to read, how often, how long to wait, and whom to tell. */
export interface EtcdProbeOptions {
  client: Etcd3;
  /** key: a key to read (a cheap linearizable range; it need not exist). */
  key: string;
  /** intervalMs: pause between probes (default 500). */
  intervalMs?: number | undefined;
  /** timeoutMs: a probe unanswered this long fails (default: see defaultProbeTimeoutMs). */
  timeoutMs?: number | undefined;
  /** onResult: called after every probe with whether etcd answered in time. */
  onResult: (answered: boolean, error?: Error) => void;
}

/**
 * defaultProbeTimeoutMs is 1 s for one endpoint; with several, two tries' worth (a probe that lands
 * on a frozen member is retried on another once its try times out), so one frozen member of three
 * does not make the whole cluster look down.
 */
export function defaultProbeTimeoutMs(client: Etcd3): number {
  const timing = etcdCallTiming(client);
  if (!timing || timing.endpoints <= 1) return 1_000;
  return 2 * timing.attemptMs + 250;
}

/**
 * EtcdProbe reads one key every `intervalMs` and reports whether etcd answered within `timeoutMs`:
 * a watch stream on a frozen etcd stays open (gRPC keepalive notices only after ~15 s), so this is
 * how a client learns within about a second that etcd stopped answering. One read at a time: a
 * read still unanswered is waited on again, never stacked.
 */
export class EtcdProbe {
  readonly #opts: EtcdProbeOptions;
  readonly #stop = new AbortController();
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  #pending: Promise<unknown> | undefined;
  #running = false;

  constructor(opts: EtcdProbeOptions) {
    this.#opts = opts;
    this.#intervalMs = opts.intervalMs ?? 500;
    this.#timeoutMs = opts.timeoutMs ?? defaultProbeTimeoutMs(opts.client);
  }

  /** start begins probing (idempotent); stops at `stop()`. */
  start(): void {
    if (this.#running || this.#stop.signal.aborted) return;
    this.#running = true;
    void this.#loop();
  }

  /** stop ends probing; no `onResult` call follows. */
  stop(): void {
    this.#stop.abort();
  }

  async #loop(): Promise<void> {
    const stopped = this.#stop.signal;
    while (!stopped.aborted) {
      const result = await this.#once();
      if (stopped.aborted) return;
      this.#opts.onResult(result === undefined, result);
      await sleep(this.#intervalMs, stopped);
    }
  }

  /** #once resolves undefined when etcd answered in time, else the error. */
  async #once(): Promise<Error | undefined> {
    this.#pending ??= this.#opts.client
      .get(this.#opts.key)
      .exec()
      .finally(() => {
        this.#pending = undefined;
      });
    const signal = AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#stop.signal]);
    try {
      await abortable(this.#pending, signal);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}
