import { ValidationError } from '../../kernel/errors/validation-error.js';
import { APITimeoutError } from '../../kernel/errors/api-errors.js';
import type { PristineError } from '../../kernel/errors/pristine-error.js';
import type { TransportRequest } from '../../ports/transport.js';
import { describeTarget } from './transport-errors.js';
import { offAbortTell, onAbortTell, type AbortSubscriber } from '../../kernel/signals/on-abort.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';

const noop = () => {};
const identity = <T>(value: T): T => value;
const rethrow = (error: unknown): never => {
  throw error;
};

/**
 * One attempt's clock. `timeoutMs` bounds the whole attempt (connect, proxy tunnel, redirects, headers
 * and, unless the request streams, every byte of the body); the caller's signal may end it sooner.
 * Libraries' own timeouts are not enough: undici's run on a coarse clock and restart with every chunk.
 *
 * When the attempt ends early the deadline calls its `abort` listeners with `aborted` and `reason` set,
 * which is the shape undici accepts as a request's signal (it needs `once`/`removeListener` and
 * `aborted`/`reason`). Not an EventEmitter nor an AbortController: both cost far more per call than
 * the one event this has, with a listener or two. `race` settles at the deadline even when a library
 * ignores its signal: undici never looks at the signal of a request still waiting for a connection.
 */
export class AttemptDeadline implements AbortSubscriber {
  // The fields are declared here and set in the constructor, not initialized here: initializers in the
  // class body are a function of their own (V8's `<instance_members_initializer>`), one more TurboFan
  // job in every process's first burst (docs/performance-notes.md, round 19 notes).
  declare readonly request: TransportRequest;
  /** The typed failure, once the attempt was cut short (undici rejects with a signal's `reason`). */
  declare reason: PristineError | undefined;
  declare private readonly timer: NodeJS.Timeout | undefined;
  /** Subscribed to the caller's signal (itself, through `onSignalAbort`) until released. */
  declare private subscribed: boolean;
  /** `abort` listeners, in subscription order; dropped once the attempt ends. */
  declare private listeners: (() => void)[] | undefined;
  /** The race in progress (see `raceThen`); kept after the deadline answered it, for its `discard`. */
  declare private racing: Race | undefined;

  /*
   * No closure per attempt for the timer or the caller's signal (the deadline itself is told): with
   * thousands of requests in flight, each closure and its context is held for the whole request.
   */
  constructor(request: TransportRequest) {
    this.request = request;
    this.reason = undefined;
    this.timer = undefined;
    this.subscribed = false;
    this.listeners = undefined;
    this.racing = undefined;
    const { timeoutMs } = request;
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
      // The port requires it ("always set"): a plugin calling a transport from JS may leave it out, which
      // setTimeout would read as 1 ms ("timed out after undefined ms"). Refused before anything is sent.
      const rule = 'must be a finite number ≥ 0: the attempt deadline the Transport port requires';
      this.reason = ValidationError.field('transport request', '/timeoutMs', 'range', rule);
      return;
    }
    const caller = request.signal;
    if (caller?.aborted) {
      this.end('abort');
      return;
    }
    if (caller) {
      onAbortTell(caller, this);
      this.subscribed = true;
    }
    this.timer = setTimeout(AttemptDeadline.expire, request.timeoutMs, this);
  }

  private static expire(this: void, deadline: AttemptDeadline): void {
    deadline.end('timeout');
  }

  /** The caller's signal aborted (`AbortSubscriber`). */
  onSignalAbort(): void {
    this.end('abort');
  }

  /** Whether the attempt was cut short (by its deadline or the caller). */
  get aborted(): boolean {
    return this.reason !== undefined;
  }

  /** Run `listener` when the attempt is cut short (EventEmitter-style, for libraries given this as a signal). */
  on(event: 'abort', listener: () => void): this {
    if (event !== 'abort' || this.reason !== undefined) return this;
    // Arrays of the exact size: a first `push` onto `[]` makes room for 17.
    const listeners = this.listeners;
    if (listeners === undefined || listeners.length === 0) this.listeners = [listener];
    else if (listeners.length === 1) this.listeners = [listeners[0], listener];
    else listeners.push(listener);
    return this;
  }

  /** Same as `on`: `abort` happens at most once. */
  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  addListener(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(event: 'abort', listener: () => void): this {
    const listeners = this.listeners;
    if (event !== 'abort' || listeners === undefined) return this;
    const index = listeners.lastIndexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
    return this;
  }

  off(event: 'abort', listener: () => void): this {
    return this.removeListener(event, listener);
  }

  /** Number of `abort` listeners (for tests: nothing may be left behind). */
  listenerCount(event: 'abort'): number {
    return event === 'abort' ? (this.listeners?.length ?? 0) : 0;
  }

  /** Headers of a streaming response arrived: the clock stops, the caller's signal still ends the body. */
  stopClock(): void {
    clearTimeout(this.timer);
  }

  /** The attempt is over (body read, cancelled or failed): drop the timer and the caller listener. */
  release(): void {
    clearTimeout(this.timer);
    // Subscribed only to a caller's signal (see the constructor).
    const caller = this.request.signal;
    if (!this.subscribed || caller === undefined) return;
    this.subscribed = false;
    offAbortTell(caller, this);
  }

  /**
   * `promise`, unless the attempt is cut short first: then the typed failure at once, and `discard`
   * receives the value should it still arrive (so a late response releases its socket).
   */
  race<T>(promise: Promise<T>, discard: (value: T) => void = noop): Promise<T> {
    return this.raceThen(promise, identity, rethrow, discard);
  }

  /**
   * `race(promise, discard).then(onValue, onError)` without the promise between the two: the
   * transport's exchange and body read each went through one more promise and job per attempt.
   * `onError` receives the deadline's reason or the promise's error; its throw rejects the result.
   * Both are called with `context` as `this` and this deadline as their second argument, so a caller
   * can pass methods and module functions instead of making two closures per attempt.
   *
   * One race at a time (the transports race each step of an attempt in turn): the pending one is held
   * in this deadline's fields, which `end` answers, rather than in an `abort` listener (a closure, and
   * an array to add it to and splice it out of, per attempt).
   */
  raceThen<T, R, C = undefined>(
    promise: Promise<T>,
    onValue: (this: C, value: T, deadline: AttemptDeadline) => R | PromiseLike<R>,
    onError: (this: C, error: unknown, deadline: AttemptDeadline) => R | PromiseLike<R>,
    discard: (value: T) => void = noop,
    context?: C,
  ): Promise<R> {
    if (this.reason) {
      this.heldUntil(promise.then(discard, noop));
      const reason = this.reason;
      return new Promise<R>((resolve) => resolve(onError.call(context as C, reason, this)));
    }
    return new Promise<R>((resolve, reject) => {
      const race = { promise, onValue, onError, discard, context, resolve, reject } as Race;
      this.racing = race;
      promise.then(
        (value) => this.won(race, value),
        (error: unknown) => this.lost(race, error),
      );
    });
  }

  /** The pending race's value arrived: mapped, unless the deadline has answered already. */
  private won(race: Race, value: unknown): void {
    this.racing = undefined;
    if (this.reason) return race.discard(value);
    answer(race, race.onValue, value, this);
  }

  /** The pending race's promise failed; once the deadline has answered, it is not mapped a second time. */
  private lost(race: Race, error: unknown): void {
    if (this.reason) return;
    this.racing = undefined;
    answer(race, race.onError, error, this);
  }

  /** The library still holds an exchange the attempt gave up on: the request says until when. */
  private heldUntil(letGo: Promise<void>): void {
    const { request } = this;
    request.heldUntil = request.heldUntil ? Promise.all([request.heldUntil, letGo]).then(noop) : letGo;
  }

  private end(how: 'timeout' | 'abort'): void {
    if (this.reason) return;
    const { timeoutMs, signal } = this.request;
    this.reason =
      how === 'timeout'
        ? new APITimeoutError(`Request timed out after ${timeoutMs} ms: ${describeTarget(this.request)}`)
        : abortErrorFor(signal);
    this.release();
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
    // A pending race answers with the reason now; its promise's value, should it come, is discarded.
    const race = this.racing;
    if (race) {
      this.heldUntil(race.promise.then(noop, noop));
      answer(race, race.onError, this.reason, this);
    }
  }
}

type Handler = (this: unknown, outcome: unknown, deadline: AttemptDeadline) => unknown;

/** A race `raceThen` started and has not answered yet: what it needs to answer. */
interface Race {
  readonly promise: Promise<unknown>;
  readonly onValue: Handler;
  readonly onError: Handler;
  readonly discard: (value: unknown) => void;
  readonly context: unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Settle `race` with what `handler` makes of `outcome`; a throw rejects it. */
function answer(race: Race, handler: Handler, outcome: unknown, deadline: AttemptDeadline): void {
  try {
    race.resolve(handler.call(race.context, outcome, deadline));
  } catch (error) {
    race.reject(error);
  }
}
