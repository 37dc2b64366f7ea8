/**
 * The subscribers of one signal, behind the single `abort` listener the kernel adds to it. Dispatch
 * runs them in subscription order, like EventTarget.
 */
interface Fanout {
  readonly subscribers: Set<() => void>;
  readonly dispatch: () => void;
}

const FANOUTS = new WeakMap<AbortSignal, Fanout>();

/**
 * Run `listener` once when `signal` aborts; the returned function unsubscribes (call it when the work
 * settles). However many calls share one signal (a whole job under one Ctrl-C controller, 50 concurrent
 * requests, their semaphore waits and backoff sleeps), the signal carries one `abort` listener, removed
 * with the last subscriber: nothing accumulates, and Node never warns `MaxListenersExceededWarning`.
 *
 * An already-aborted signal gets no subscription: check `signal.aborted` first.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  let fanout = FANOUTS.get(signal);
  if (!fanout) {
    const subscribers = new Set<() => void>();
    const dispatch = () => {
      FANOUTS.delete(signal);
      for (const subscriber of subscribers) subscriber();
      subscribers.clear();
    };
    fanout = { subscribers, dispatch };
    FANOUTS.set(signal, fanout);
    signal.addEventListener('abort', dispatch, { once: true });
  }
  // A wrapper per subscription: the same function subscribed twice is two subscriptions.
  const subscription = () => listener();
  fanout.subscribers.add(subscription);
  const { subscribers, dispatch } = fanout;
  return () => {
    if (!subscribers.delete(subscription) || subscribers.size > 0) return;
    signal.removeEventListener('abort', dispatch);
    if (FANOUTS.get(signal)?.dispatch === dispatch) FANOUTS.delete(signal);
  };
}
