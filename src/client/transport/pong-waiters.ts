/** PongWaiters: the `rpc.ping` probes a channel sent and waits on, by ping id. */
export class PongWaiters {
  readonly #waiting = new Map<
    string,
    { resolve: () => void; reject: (e: unknown) => void; timer: NodeJS.Timeout }
  >();

  /** wait resolves when `answer(id)` is called; `onTimeout` runs if that takes over `timeoutMs`. */
  wait(id: string, timeoutMs: number, onTimeout: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(onTimeout, timeoutMs);
      this.#waiting.set(id, { resolve, reject, timer });
    });
  }

  /** answer resolves the ping `id`; false when nobody waits on it (a liveness ping). */
  answer(id: string): boolean {
    const waiter = this.#waiting.get(id);
    if (!waiter) return false;
    this.#waiting.delete(id);
    clearTimeout(waiter.timer);
    waiter.resolve();
    return true;
  }

  /** failAll rejects every waiting ping with `error`. */
  failAll(error: unknown): void {
    const waiters = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(error);
    }
  }
}
