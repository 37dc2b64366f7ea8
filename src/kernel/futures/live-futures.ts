import { abortOwned, onAbort, ownedAbortController } from '../signals/on-abort.js';
import type { InFlightCounter } from '../idle/in-flight.js';
import type { APIFuture } from './api-future.js';

/**
 * The kernel's futures still polling, so that closing can cancel them, and the one poll controller per
 * caller signal that `callerSignalOnly` futures share.
 */
export class LiveFutures {
  private readonly live = new Set<APIFuture<unknown>>();
  /** Per caller signal, the controller its `callerSignalOnly` futures poll with. */
  private sharedPolls = new WeakMap<AbortSignal, AbortController>();

  /** `inFlight`: counts each future from `add` until it settles or is cancelled (`kernel.idle()`). */
  constructor(private readonly inFlight?: InFlightCounter) {}

  /** Told by each submitted future once it settled: one function per kernel, not per future. */
  readonly settled = (future: APIFuture<unknown>): void => {
    if (this.live.delete(future)) this.inFlight?.end();
  };

  /** Track a future until it settles (`settled`, from the future's own `then` pair). */
  add(future: APIFuture<unknown>): void {
    if (this.live.has(future)) return;
    this.live.add(future);
    this.inFlight?.begin();
  }

  /** The controller `callerSignalOnly` futures of `signal` poll with: aborted by it, or by `cancelAll()`. */
  sharedPollController(signal: AbortSignal): AbortController {
    let controller = this.sharedPolls.get(signal);
    if (!controller) {
      const created = ownedAbortController();
      if (signal.aborted) abortOwned(created, signal.reason);
      // Kept as long as the signal: one subscription however many futures share it.
      else onAbort(signal, () => abortOwned(created, signal.reason));
      this.sharedPolls.set(signal, (controller = created));
    }
    return controller;
  }

  /** Cancel every tracked future (each rejects with FutureCancelledError, saying `why`). */
  cancelAll(why?: string): void {
    // All marked cancelled (synchronously) before any poll hears its, possibly shared, abort. Each is
    // counted out here, once: it settles later (a promise callback, never inside `abandon`), when
    // `settled` finds it gone; an idle() waiter released by the last `end` runs after the loop.
    for (const future of this.live) {
      future.abandon(why);
      this.inFlight?.end();
    }
    this.live.clear();
    this.sharedPolls = new WeakMap();
  }
}
