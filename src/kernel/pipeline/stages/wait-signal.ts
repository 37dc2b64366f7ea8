import { ClientClosedError } from '../../errors/api-errors.js';
import { ADMITTED } from '../../../ports/rate-limiter.js';
import { onAbort } from '../../signals/on-abort.js';
import type { CallContext } from '../context.js';

/**
 * Runs a wait before sending (a closed rate-limit window, a token) on a signal that aborts with the
 * caller's or with the kernel's `close()` (`closeExcept` for all but its final endpoints). Found by hand: a call waiting out a 60 s `retry-after` stayed
 * pending through close() for the whole minute, its timer keeping the process alive. A call without a
 * signal waits on the kernel's own. One with a signal gets a controller linked to both through the
 * kernel's shared abort listeners (AbortSignal.any on a long-lived caller signal grows Node 20's heap
 * with every call), unlinked as soon as the wait settles, and only when the limiter may make it wait
 * (`mayWait`). A wait that close() cut short ends the call with ClientClosedError; the caller's own
 * abort stays as it was.
 */
export function untilClosed(
  context: CallContext,
  mayWait: boolean,
  wait: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const caller = context.options.signal;
  const closing = context.services.stopping(context.endpoint.id);
  // Without `mayWait` the bucket is open as far as this process knows: the limiter admits at once (or
  // asks Redis, a bounded round trip), so the call's own signal serves. Linking a controller to both
  // cost every call an AbortController and two subscriptions, and every Tinkex sample has a signal
  // (its stuck detection).
  if (caller === undefined || !mayWait) return closedWait(wait(caller ?? closing), context);
  const linked = new AbortController();
  const offCaller = onAbort(caller, () => linked.abort(caller.reason));
  const offClosing = onAbort(closing, () => linked.abort(closing.reason));
  const unlink = () => {
    offCaller();
    offClosing();
  };
  const waited = wait(linked.signal);
  if (waited === ADMITTED) {
    unlink();
    return ADMITTED;
  }
  return closedWait(waited.finally(unlink), context);
}

function closedWait(waited: Promise<void>, context: CallContext): Promise<void> {
  if (waited === ADMITTED) return ADMITTED;
  return waited.catch((error: unknown) => {
    if (context.services.stopping(context.endpoint.id).aborted && !context.options.signal?.aborted)
      throw ClientClosedError.forCall(context.endpoint);
    throw error;
  });
}
