import { APIUserAbortError, onAbort } from 'pristine-kernel';

/**
 * Wait for work a call shares with others (the protocol handshake, the session being created): the
 * wait ends with `APIUserAbortError` when `signal` aborts, while the work goes on for the others. The
 * listener is removed once either happens, so one signal reused for many calls collects none.
 */
export function untilAborted<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) {
    // Nobody else may be waiting for the shared work yet: its failure must not go unhandled.
    shared.catch(() => undefined);
    return Promise.reject(new APIUserAbortError(undefined, { cause: signal.reason }));
  }
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = onAbort(signal, () =>
      reject(new APIUserAbortError(undefined, { cause: signal.reason })),
    );
    shared.then(resolve, reject).finally(unsubscribe);
  });
}
