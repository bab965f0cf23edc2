/**
 * abortable settles with `promise`, or rejects with `signal.reason` as soon as `signal` aborts
 * (at once if it already has). The promise is not cancelled, only abandoned: its later rejection is
 * handled here, never left unhandled. Without a signal it returns `promise` itself.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
