import type { Clock } from '../../ports/clock.js';
import { PristineError } from '../errors/pristine-error.js';
import { FutureCancelledError, FutureTimeoutError } from './future-errors.js';
import { checkResultOptions, type ResultOptions } from './check-result-options.js';
import { afterSettled } from '../promises/after-settled.js';
import { abortOwned, onAbort, ownedAbortController } from '../signals/on-abort.js';
import { abortErrorFor } from '../signals/abort-error-for.js';

const ignore = (): void => {};

/*
 * The handlers a future keeps until it settles are made outside its constructor: closures made there
 * would share its scope, and so keep the poll function (and all it holds) for the future's life, where
 * the poll needs it only until the request is accepted.
 */

/** A failure of a cancelled future is its cancellation. */
function cancelledOr(future: APIFuture<unknown>): (error: unknown) => never {
  return (error) => {
    if (future.cancelled)
      throw new FutureCancelledError(future.requestId, future.cancelReason, future.endpointId);
    throw error;
  };
}

function settledHook<T>(future: APIFuture<T>, onSettled: (future: APIFuture<T>) => void): () => void {
  return () => onSettled(future);
}

/**
 * A long-running operation. It is returned at once and is a thenable: `await future` (or
 * `future.result()`) gives the operation's result, while `await future.accepted` resolves with the
 * request id as soon as the server has accepted the work — so callers can submit several operations back
 * to back and await the results later.
 *
 * (A `Promise<APIFuture>` cannot exist in JavaScript: a promise that resolves to a thenable adopts it.
 * Hence the future itself carries the submission.)
 *
 * Polling starts as soon as the request is accepted and runs once; every way of awaiting shares it.
 *
 * It has a promise's `then`, `catch` and `finally` (each a new promise on the shared result, as a
 * promise's are), so it is assignable where a `Promise<T>` is expected; it is not an `instanceof
 * Promise` (a subclass would run its executor, and every `then` would build another future).
 */
export class APIFuture<T> implements Promise<T> {
  // The fields are declared here and set in the constructor, not initialized here: initializers in the
  // class body are a function of their own (V8's `<instance_members_initializer>`), one more TurboFan
  // job in a fan-out's burst (docs/performance-notes.md, round 19 notes).
  /** Resolves with the request id once the server accepted the request. */
  declare readonly accepted: Promise<string>;
  /** Created when polling starts or on cancel: a future still waiting to be submitted needs none. */
  declare private controller: AbortController | undefined;
  declare private cancelRequested: boolean;
  /** Why it was abandoned, for the error's message (undefined for `cancel()`). @internal */
  declare cancelReason: string | undefined;
  declare private readonly settled: Promise<T>;
  declare private id: string | undefined;
  /** Polling with a controller shared with other futures (see the constructor's `shared`). */
  declare private readonly shared: boolean;
  declare private readonly clock: Clock;
  /**
   * The endpoint that submitted it (`kernel.submit`'s futures) as its users know it (its manifest
   * `callName`, else its id), for errors that come before there is a request id to name; undefined for
   * a future made otherwise (`then`, `combine`, `resolved`).
   */
  declare readonly endpointId: string | undefined;

  /**
   * `signal` (optional), the caller's, also stops the polling; unlike `cancel()` the future then
   * rejects with the poll's own error (an abort), not `FutureCancelledError`. The poll gets one signal
   * for both: this future's controller, which the caller's signal aborts with its reason.
   *
   * `shared` (with a `signal`): an owned controller (`ownedAbortController`) that the caller's signal
   * aborts, shared by the futures of that signal; the poll gets its signal, and `cancel()` throws (it
   * would stop them all). The kernel's `callerSignalOnly` submissions: thousands of pending futures
   * (a sampling fan-out) then hold no AbortController and no subscription each.
   */
  constructor(
    accepted: Promise<string>,
    poll: (requestId: string, signal: AbortSignal) => Promise<T>,
    clock: Clock,
    signal?: AbortSignal,
    options: {
      shared?: AbortController;
      onSettled?: (future: APIFuture<T>) => void;
      endpointId?: string;
    } = {},
  ) {
    this.clock = clock;
    this.endpointId = options.endpointId;
    this.controller = undefined;
    this.cancelRequested = false;
    this.cancelReason = undefined;
    this.id = undefined;
    this.shared = signal !== undefined && options.shared !== undefined;
    if (this.shared) this.controller = options.shared;
    // `accepted` itself, not a copy that records the id: one promise and one job less per future (a
    // fan-out makes one per sample). The id is recorded by the first reaction registered on it, here,
    // so it is set before any caller's handler on `accepted` runs.
    this.accepted = accepted;
    this.settled = accepted
      .then((id) => {
        this.id = id;
        return signal && !this.shared
          ? this.pollUntil(poll, id, signal)
          : poll(id, this.abortController().signal);
      })
      .catch(cancelledOr(this));
    // A future nobody awaits must not crash the process with an unhandled rejection. `accepted` has its
    // handler already (`settled` is chained on it); `settled` gets one `then` pair, which also tells the
    // owner (the kernel's list of live futures) that it settled: no second pair per future for that.
    if (options.onSettled) {
      const settled = settledHook(this, options.onSettled);
      this.settled.then(settled, settled);
    } else {
      this.settled.catch(ignore);
    }
  }

  /** The server's id for this operation; undefined until `accepted` resolves. */
  get requestId(): string | undefined {
    return this.id;
  }

  /** Snake-case alias, as the wire and the Python SDK name it. */
  get request_id(): string | undefined {
    return this.id;
  }

  /** Wait for the result, at most `timeoutMs`; `signal` stops waiting (polling goes on unless cancelled). */
  result(options: ResultOptions = {}): Promise<T> {
    try {
      checkResultOptions(options);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const { timeoutMs, signal } = options;
    if (timeoutMs === undefined && !signal) return this.settled;
    return new Promise<T>((resolve, reject) => {
      // A deadline timer and a listener, both removed when the result arrives: no AbortController and
      // no rejected sleep per call (thousands of sampling futures use this).
      let cancelDeadline: (() => void) | undefined;
      let unsubscribe: (() => void) | undefined;
      const finish = (settle: () => void) => {
        cancelDeadline?.();
        unsubscribe?.();
        settle();
      };
      const aborted = () => finish(() => reject(abortErrorFor(signal)));
      if (signal?.aborted) return aborted();
      if (signal) unsubscribe = onAbort(signal, aborted);
      if (timeoutMs !== undefined) {
        cancelDeadline = this.clock.after(timeoutMs, () =>
          finish(() => reject(new FutureTimeoutError(this.id, timeoutMs, this.endpointId))),
        );
      }
      this.settled.then(
        (value) => finish(() => resolve(value)),
        (error: unknown) => finish(() => reject(error)),
      );
    });
  }

  /**
   * Stop polling; the result rejects with `FutureCancelledError`. Throws for a future polling with a
   * shared controller (`callerSignalOnly`): abort its signal instead.
   */
  cancel(): void {
    if (this.shared) {
      throw new PristineError('This future stops only when its signal aborts (callerSignalOnly)');
    }
    this.abandon();
  }

  /**
   * `cancel()` for the kernel's `close()`, which stops every future it polls, those with a shared
   * controller too (each is marked cancelled before any poll hears the abort). `why` ends the
   * error's message.
   * @internal
   */
  abandon(why?: string): void {
    this.cancelRequested = true;
    this.cancelReason = why;
    abortOwned(this.abortController());
  }

  get cancelled(): boolean {
    return this.cancelRequested;
  }

  /**
   * Poll with the caller's signal joined to this future's: one subscription on the caller's signal
   * (shared by many futures, so cheap) instead of an `AbortSignal.any` per future, which allocates a
   * signal, weak references and listeners on both sources, and costs a fresh `abort` listener per poll.
   */
  private pollUntil(
    poll: (requestId: string, signal: AbortSignal) => Promise<T>,
    requestId: string,
    signal: AbortSignal,
  ): Promise<T> {
    const controller = this.abortController();
    if (signal.aborted) {
      abortOwned(controller, signal.reason);
      return poll(requestId, controller.signal);
    }
    const unsubscribe = onAbort(signal, () => abortOwned(controller, signal.reason));
    return afterSettled(poll(requestId, controller.signal), unsubscribe);
  }

  private abortController(): AbortController {
    // Its subscribers (the poll's requests, sleeps, waits) cost no EventTarget listener (on-abort.ts).
    return (this.controller ??= ownedAbortController());
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.settled.then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.settled.catch(onrejected);
  }

  /** As a promise's: the promise it returns settles as the future does, after `onfinally` ran. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.settled.finally(onfinally);
  }

  /** What `Object.prototype.toString` names it (`[object APIFuture]`); a `Promise` member. */
  get [Symbol.toStringTag](): string {
    return 'APIFuture';
  }

  /** A future over the same operation whose value is transformed. */
  map<U>(transform: (value: T) => U | Promise<U>): APIFuture<U> {
    return new APIFuture(this.accepted, () => this.settled.then(transform), this.clock, undefined, {
      endpointId: this.endpointId,
    });
  }

  /** A future that is already complete (e.g. for results computed client-side). */
  static resolved<T>(value: T, requestId: string, clock: Clock): APIFuture<T> {
    return new APIFuture(Promise.resolve(requestId), async () => value, clock);
  }

  /**
   * A future that has already failed: a method that returns futures reports bad input through one (as an
   * async function does through its promise), so `.catch()` and `Promise.all` see the failure.
   */
  static rejected<T>(error: unknown, clock: Clock): APIFuture<T> {
    const failed = Promise.reject(error);
    return new APIFuture<T>(failed, () => failed, clock);
  }

  /** Combine several futures into one whose value is computed from all their results. */
  static combine<T, U>(
    futures: readonly APIFuture<T>[],
    transform: (values: T[]) => U,
    clock: Clock,
  ): APIFuture<U> {
    const accepted = Promise.all(futures.map((f) => f.accepted)).then((ids) => ids.join(','));
    // The endpoint they share (the chunks of one training pass), to name before they are accepted.
    const endpointId = futures.every((f) => f.endpointId === futures[0]?.endpointId)
      ? futures[0]?.endpointId
      : undefined;
    return new APIFuture(accepted, () => Promise.all(futures).then(transform), clock, undefined, {
      endpointId,
    });
  }
}
