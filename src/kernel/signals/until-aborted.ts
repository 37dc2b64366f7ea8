import { onAbort } from './on-abort.js';
import { abortErrorFor } from './abort-error-for.js';

/**
 * Wait for `work` until `signal` aborts: the wait then ends at once with `APIUserAbortError` (the
 * signal's reason as its cause), while the work goes on. For work shared with other callers (a
 * handshake, a session being created), or already on the wire (a command to a slow or frozen Redis,
 * which held its caller until the command timed out): `abandoned` is handed the work then, to undo
 * what it does once it settles (leave a queue, refund a token, hand a trial on).
 *
 * The work is always observed, also under a signal that had aborted before: its later failure is never
 * an unhandled rejection. The listener goes once either settles, so a signal reused for many calls
 * collects none.
 */
export function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  abandoned?: (work: Promise<T>) => void,
): Promise<T> {
  if (!signal) return work;
  return new Promise((resolve, reject) => {
    let settled = false;
    let stop = () => {};
    const giveUp = () => {
      if (settled) return;
      settled = true;
      abandoned?.(work);
      reject(abortErrorFor(signal));
    };
    const settle = (then: () => void) => {
      stop();
      if (settled) return;
      settled = true;
      then();
    };
    work.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
    if (signal.aborted) giveUp();
    else stop = onAbort(signal, giveUp);
  });
}
