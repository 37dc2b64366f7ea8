const FANOUTS = new WeakMap<AbortSignal, Fanout>();

/**
 * Told when a signal aborts, through a method: an object that subscribes itself (`onAbortTell`) costs no
 * listener closure and no unsubscribe closure, where thousands of requests in flight share one signal.
 */
export interface AbortSubscriber {
  onSignalAbort(): void;
}

type Subscriber = (() => void) | AbortSubscriber;

function tell(subscriber: Subscriber): void {
  if (typeof subscriber === 'function') subscriber();
  else subscriber.onSignalAbort();
}

/**
 * The subscribers of one signal, behind the single `abort` listener the kernel adds to it (this object,
 * through `handleEvent`: no dispatch closure). Nearly every signal has one subscriber at a time (the
 * attempt in flight on a future's signal), so that one is held in a field; a Map, keyed by each
 * subscription's unsubscribe function, exists only while two or more overlap. Dispatch runs them in
 * subscription order, like EventTarget. Kept until the signal aborts (weakly): a signal subscribed to
 * again (the next poll of a future) reuses it.
 */
class Fanout {
  /** The subscription while there is exactly one (and `many` is unset). */
  private single: Subscriber | undefined = undefined;
  private singleOff: object | undefined = undefined;
  private many: Map<object, Subscriber> | undefined = undefined;

  constructor(
    private readonly signal: AbortSignal,
    /** Told by `abortOwned` instead of through an `abort` listener (see `ownedAbortController`). */
    private readonly owned = false,
  ) {}

  subscribe(listener: () => void): () => void {
    const off = (): void => this.unsubscribe(off);
    this.add(off, listener);
    return off;
  }

  /** A subscription under `key` (its unsubscribe function, or a subscriber object itself). */
  add(key: object, subscriber: Subscriber): void {
    if (this.many) {
      this.many.set(key, subscriber);
    } else if (this.singleOff && this.single) {
      // A second subscriber: both move to the Map, the first one first (the two fields are set together).
      this.many = new Map<object, Subscriber>([
        [this.singleOff, this.single],
        [key, subscriber],
      ]);
      this.single = this.singleOff = undefined;
    } else {
      this.single = subscriber;
      this.singleOff = key;
      if (!this.owned) this.signal.addEventListener('abort', this, { once: true });
    }
  }

  /**
   * The abort. As before this class existed: a subscription made from inside a subscriber is not run
   * (it goes to a fresh fanout, as the signal is spent), one cancelled from inside is skipped.
   */
  handleEvent(): void {
    FANOUTS.delete(this.signal);
    const { single, many } = this;
    this.single = this.singleOff = undefined;
    if (single) tell(single);
    if (!many) return;
    for (const subscriber of many.values()) tell(subscriber);
    this.many = undefined;
  }

  unsubscribe(key: object): void {
    if (this.singleOff === key) {
      this.single = this.singleOff = undefined;
    } else if (!this.many?.delete(key) || this.many.size > 0) {
      return;
    } else {
      this.many = undefined;
    }
    if (!this.owned) this.signal.removeEventListener('abort', this);
  }
}

/**
 * Run `listener` once when `signal` aborts; the returned function unsubscribes (call it when the work
 * settles). However many calls share one signal (a whole job under one Ctrl-C controller, 50 concurrent
 * requests, their semaphore waits and backoff sleeps), the signal carries one `abort` listener, removed
 * with the last subscriber: nothing accumulates, and Node never warns `MaxListenersExceededWarning`.
 *
 * An already-aborted signal gets no subscription: check `signal.aborted` first.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  return fanoutOf(signal).subscribe(listener);
}

/**
 * `onAbort` for an object that is its own subscription: `subscriber.onSignalAbort()` runs once when
 * `signal` aborts, until `offAbortTell(signal, subscriber)`. One subscription per object and signal.
 */
export function onAbortTell(signal: AbortSignal, subscriber: AbortSubscriber): void {
  fanoutOf(signal).add(subscriber, subscriber);
}

/** Ends an `onAbortTell` subscription (nothing happens when there is none, or the signal aborted). */
export function offAbortTell(signal: AbortSignal, subscriber: AbortSubscriber): void {
  FANOUTS.get(signal)?.unsubscribe(subscriber);
}

function fanoutOf(signal: AbortSignal): Fanout {
  let fanout = FANOUTS.get(signal);
  if (!fanout) {
    fanout = new Fanout(signal);
    FANOUTS.set(signal, fanout);
  }
  return fanout;
}

/**
 * An AbortController whose signal's subscribers (through `onAbort`) are told by `abortOwned`, not by an
 * `abort` listener: subscribing and unsubscribing are then field writes, where a fresh signal costs an
 * EventTarget listener added and removed per subscription (a future's controller: once or more per poll,
 * 1–2 % of a sampling fan-out's CPU). Abort it only with `abortOwned`. Listeners added to its signal
 * directly still run, during `abort()`, before the `onAbort` subscribers.
 */
export function ownedAbortController(): AbortController {
  const controller = new AbortController();
  FANOUTS.set(controller.signal, new Fanout(controller.signal, true));
  return controller;
}

/** Abort a controller made by `ownedAbortController` (once: a second abort changes nothing). */
export function abortOwned(controller: AbortController, reason?: unknown): void {
  const signal = controller.signal;
  if (signal.aborted) return;
  controller.abort(reason);
  FANOUTS.get(signal)?.handleEvent();
}
