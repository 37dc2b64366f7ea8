import {
  APIFuture,
  APITimeoutError,
  deadlineErrorOf,
  collectPages,
  linkedSignal,
  linkedSignals,
  OptionChecks,
  optionNames,
  type CallOptions,
  type PageIterable,
  untilAborted,
} from 'pristine-kernel';

/** The kernel's Clock port (the injected one, so a test clock drives deadlines too). */
type Clock = ConstructorParameters<typeof APIFuture>[2];

/**
 * What a view (`client.withOptions(...)`, options-view.ts) adds to every call made through it: each of
 * its signals aborts the call, and `timeoutMs` bounds it unless the call gives its own. The signals are
 * kept apart, not joined once into one: each call links them with its own and lets go when it settles,
 * so a signal that outlives thousands of calls holds no listener per call.
 */
export interface OptionDefaults {
  readonly signals: readonly AbortSignal[];
  readonly timeoutMs: number | undefined;
}

/**
 * The per-call options every Tinkex method that makes requests takes as its last argument (as
 * openai-node's `RequestOptions`).
 */
export interface RequestOptions {
  /**
   * Aborts the call: retries, backoff sleeps, queueing and polling stop, and the call rejects with
   * `APIUserAbortError`. A training request aborted while queued is never sent and takes no seq_id;
   * one the server already accepted still runs there (only the wait stops).
   */
  signal?: AbortSignal;
  /**
   * A bound on the whole call, retries, backoff and polling included (and on each attempt): once it has
   * passed, the call rejects with `APITimeoutError` naming the method and the bound.
   */
  timeoutMs?: number;
}

const NO_OPTIONS: CallOptions = {};

const REQUEST_OPTION_NAMES = optionNames<RequestOptions>({ signal: true, timeoutMs: true });

/** `RequestOptions` checked by name and rule before anything is sent (a NaN bound would never fire). */
export function checkRequestOptions(options: RequestOptions | undefined, method: string): RequestOptions {
  if (options === undefined) return NO_OPTIONS;
  const checks = new OptionChecks(`${method} options`);
  // A misspelt `timeout` would leave the call unbounded without a word.
  const what = `${/^[aeiou]/i.test(method) ? 'an' : 'a'} ${method} option`;
  const o = checks.root(options, { names: REQUEST_OPTION_NAMES, what });
  checks.signal('signal', o.signal);
  checks.duration('timeoutMs', o.timeoutMs);
  checks.throwIfAny();
  return options;
}

/**
 * One method call's options as the kernel takes them: the caller's signal, joined with the call's own
 * deadline when `timeoutMs` is set. `run` and `future` end the deadline when the call settles and turn
 * the abort it caused into an `APITimeoutError`. Without `timeoutMs` there is no timer and no wrapping.
 */
export class CallScope {
  /** Pass to `kernel.call/submit/execute/paginate` (and to sleeps, semaphores, limiters). */
  readonly options: CallOptions;
  private readonly deadline: AbortController | undefined;
  private readonly callerSignal: AbortSignal | undefined;
  private cancelTimer: (() => void) | undefined;
  private unlink: (() => void) | undefined;

  constructor(
    options: RequestOptions | undefined,
    private readonly method: string,
    private readonly clock: Clock,
    defaults?: OptionDefaults,
  ) {
    const own = checkRequestOptions(options, method);
    // A view's defaults (`withOptions`): its signals join the call's own, its bound applies unless the
    // call gives one. Without a view, the call's own options as they are.
    const timeoutMs = own.timeoutMs ?? defaults?.timeoutMs;
    const linked = defaults ? linkedSignals([...defaults.signals, own.signal]) : undefined;
    const signal = linked ? linked.signal : own.signal;
    this.callerSignal = signal;
    this.unlink = linked?.unlink;
    if (timeoutMs === undefined) {
      this.options = signal ? { signal } : NO_OPTIONS;
      return;
    }
    const deadline = (this.deadline = new AbortController());
    this.cancelTimer = clock.after(timeoutMs, () => deadline.abort(this.timeoutError()));
    // Not AbortSignal.any: a caller may pass one signal to every call for hours, and Node 20 keeps one
    // entry per call in its dependants (linkedSignal); `end` lets go of it.
    const withDeadline = signal ? linkedSignal(signal, deadline.signal) : undefined;
    const unlinkCaller = this.unlink;
    if (withDeadline)
      this.unlink = () => {
        withDeadline.unlink();
        unlinkCaller?.();
      };
    this.options = { signal: withDeadline ? withDeadline.signal : deadline.signal, timeoutMs };
  }

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  /** Run the call; the deadline ends with it. */
  run<T>(call: () => Promise<T>): Promise<T> {
    if (!this.deadline && !this.unlink) return call();
    let running: Promise<T>;
    try {
      running = call();
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.then(
      (value) => {
        this.end();
        return value;
      },
      (error: unknown) => {
        this.end();
        throw this.failed(error);
      },
    );
  }

  /** Wait for work this call shares with others (the session being created); see `untilAborted`. */
  wait<T>(shared: Promise<T>): Promise<T> {
    return untilAborted(shared, this.options.signal);
  }

  /** The same operation, whose failure after the deadline is an `APITimeoutError`. */
  future<T>(inner: APIFuture<T>): APIFuture<T> {
    const end = () => this.end();
    if (!this.deadline) {
      // Only signals to let go of (a view's): the future itself, with no deadline to translate.
      if (this.unlink) inner.then(end, end);
      return inner;
    }
    inner.then(end, end);
    const translate = (error: unknown) => {
      throw this.failed(error);
    };
    return new APIFuture<T>(
      inner.accepted.catch(translate),
      (_id, cancelled) => {
        cancelled.addEventListener('abort', () => inner.cancel(), { once: true });
        return Promise.resolve(inner).catch(translate);
      },
      this.clock,
      undefined,
      // Named by a wait that ends before the server accepted the request (there is no id to name yet).
      { endpointId: inner.endpointId },
    );
  }

  /** Stop the deadline (the call settled). */
  end(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.unlink?.();
    this.unlink = undefined;
  }

  /**
   * An error caused by our deadline (not by the caller's signal) becomes the timeout it is. The abort it
   * caused becomes the deadline's own APITimeoutError, the one the kernel's spans recorded for the call.
   */
  failed(error: unknown): unknown {
    const deadline = this.deadline?.signal;
    const timedOut = deadline?.aborted && !this.callerSignal?.aborted;
    if (!timedOut || error instanceof APITimeoutError) return error;
    // The kernel's own rule, so the caller gets the very error its spans recorded.
    const surfaced = deadlineErrorOf(error, deadline);
    return surfaced === error ? this.timeoutError(error) : surfaced;
  }

  private timeoutError(cause?: unknown): APITimeoutError {
    const { timeoutMs } = this.options;
    return new APITimeoutError(`${this.method} did not finish within timeoutMs (${timeoutMs} ms)`, {
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/**
 * A paged listing whose every iteration (or `toArray`) is one call: `timeoutMs` bounds the whole walk
 * over the pages, `signal` stops it. Options are checked, and `open` is called, when the walk starts:
 * bad input rejects there (the first page, or `toArray`), as from an async generator, never where the
 * listing is made.
 */
export function pagesWithin<T>(
  options: RequestOptions | undefined,
  method: string,
  { clock, defaults }: { clock: Clock; defaults?: OptionDefaults },
  open: (options: CallOptions) => PageIterable<T>,
): PageIterable<T> {
  async function* iterate(): AsyncGenerator<T> {
    checkRequestOptions(options, method);
    if (options?.timeoutMs === undefined && !defaults) {
      yield* open(options?.signal ? { signal: options.signal } : {});
      return;
    }
    const scope = new CallScope(options, method, clock, defaults);
    try {
      yield* open(scope.options);
    } catch (error) {
      throw scope.failed(error);
    } finally {
      scope.end();
    }
  }
  return {
    [Symbol.asyncIterator]: iterate,
    toArray: (options) => collectPages(iterate, options),
  };
}
