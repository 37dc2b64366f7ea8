import {
  APIConnectionError,
  APIFuture,
  APIStatusError,
  APIUserAbortError,
  ClientClosedError,
  FutureCancelledError,
  FutureExpiredError,
  FutureFailedError,
  FutureTimeoutError,
  type PageIterable,
} from 'pristine-kernel';
import type { TelemetryReporter } from './reporter.js';

/** Errors already reported: a public method calling another reports its error once, not twice. */
const reported = new WeakSet<object>();

/**
 * Whether to report `error`: not twice, and never the caller's own cancellation (Python's
 * `capture_exceptions` catches `Exception`, which `CancelledError` is not) or closing (the calls a
 * `close()` stops would otherwise flood its last flush).
 */
function firstReport(error: unknown): boolean {
  if (
    error instanceof APIUserAbortError ||
    error instanceof FutureCancelledError ||
    error instanceof ClientClosedError
  )
    return false;
  if (error === null || typeof error !== 'object') return true;
  if (reported.has(error)) return false;
  reported.add(error);
  return true;
}

/**
 * Report what a public method throws to backend telemetry, as the Python SDK's
 * `@capture_exceptions(fatal=True)` does on nearly every public operation: the exception (a `user_error`
 * event or UNHANDLED_EXCEPTION), SESSION_END, and a flush. A method returning a promise rethrows only
 * after the events were sent (at most FLUSH_TIMEOUT_MS, 30 s); a synchronous throw and a future's
 * failed submission cannot wait and are reported in the background. A future that was accepted and
 * then failed is a generic `APIFuture.result_async.*` event instead, as in Python.
 *
 * Every own method of `proto` is wrapped except accessors and the names in `skip` (internal helpers);
 * `reporterOf` picks the instance's reporter, and nothing is wrapped around a call when it has none
 * (telemetry off).
 */
export function captureCalls<T extends object>(
  proto: T,
  reporterOf: (self: T) => TelemetryReporter | undefined,
  skip: readonly string[] = [],
): void {
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor' || skip.includes(name)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    const original: unknown = descriptor?.value;
    if (typeof original !== 'function') continue;
    const wrapped = {
      [name](this: T, ...args: unknown[]) {
        const reporter = reporterOf(this);
        if (!reporter) return original.apply(this, args);
        return captured(reporter, name, original as (...a: unknown[]) => unknown, this, args);
      },
    }[name];
    Object.defineProperty(proto, name, { ...descriptor, value: wrapped });
  }
}

/** `original` called on `self` with `args` (no closure per call: `sample` is wrapped too). */
function captured(
  reporter: TelemetryReporter,
  method: string,
  original: (...args: unknown[]) => unknown,
  self: unknown,
  args: unknown[],
): unknown {
  let result: unknown;
  try {
    result = original.apply(self, args);
  } catch (error) {
    if (firstReport(error)) void reporter.fatalException(error);
    throw error;
  }
  if (result instanceof APIFuture) {
    const future = result as APIFuture<unknown>;
    future.accepted.catch((error: unknown) => {
      if (firstReport(error)) void reporter.fatalException(error);
    });
    future.then(undefined, (error: unknown) => {
      if (firstReport(error)) resultFailed(reporter, method, future.requestId, error);
    });
    return future;
  }
  if (result instanceof Promise) return reportedOnFailure(reporter, result);
  if (isPageIterable(result)) return capturedPages(reporter, result);
  if (isAsyncGenerator(result)) return capturedStream(reporter, result);
  return result;
}

/** Each reporter's rejection handler (`rethrownAfterReport`), made once. */
const rejectionHandlers = new WeakMap<TelemetryReporter, (error: unknown) => Promise<never>>();

/**
 * The handler is one per reporter, not a closure and its context per call: every pending sample of a
 * fan-out holds it until it settles (2,000 at once). Looked up here rather than in a function of its own,
 * which would be one more small function for V8 to compile in a burst.
 */
function reportedOnFailure<T>(reporter: TelemetryReporter, promise: Promise<T>): Promise<T> {
  let handler = rejectionHandlers.get(reporter);
  if (handler === undefined) {
    handler = rethrownAfterReport(reporter);
    rejectionHandlers.set(reporter, handler);
  }
  return promise.catch(handler);
}

/** Reports a call's failure (once, see `firstReport`), then rethrows it. */
function rethrownAfterReport(reporter: TelemetryReporter): (error: unknown) => Promise<never> {
  return async (error: unknown) => {
    if (firstReport(error)) await reporter.fatalException(error);
    throw error;
  };
}

function isPageIterable(value: unknown): value is PageIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Symbol.asyncIterator in value &&
    typeof (value as { toArray?: unknown }).toArray === 'function'
  );
}

/**
 * A paged listing (`iterate*`) fails after the method returned, while it is walked: on the page that
 * fails (`for await`) or inside `toArray`. Both are reported as a promise's failure is, before the error
 * reaches the caller.
 */
function capturedPages<T>(reporter: TelemetryReporter, pages: PageIterable<T>): PageIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        yield* pages;
      } catch (error) {
        if (firstReport(error)) await reporter.fatalException(error);
        throw error;
      }
    },
    toArray: (options) => reportedOnFailure(reporter, pages.toArray(options)),
  };
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Symbol.asyncIterator in value &&
    typeof (value as { next?: unknown }).next === 'function' &&
    typeof (value as { return?: unknown }).return === 'function'
  );
}

/**
 * A stream (`sampleStream`) fails after the method returned, while it is read: reported as a promise's
 * failure is, before the error reaches the caller. `yield*` passes the caller's `break` (return) on, so
 * the stream still closes its connection.
 */
async function* capturedStream<T>(reporter: TelemetryReporter, stream: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    return yield* stream;
  } catch (error) {
    if (firstReport(error)) await reporter.fatalException(error);
    throw error;
  }
}

/** Python's `APIFuture.result_async.<kind>` events for a request the server accepted that then failed. */
function resultFailed(
  reporter: TelemetryReporter,
  method: string,
  request_id: string | undefined,
  error: unknown,
): void {
  const e = error as { name?: string; message?: string; category?: string; status?: number };
  const is_user_error =
    e.category === 'user' ||
    (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.status !== 408);
  const kind =
    error instanceof FutureFailedError
      ? 'application_error'
      : error instanceof FutureTimeoutError
        ? 'timeout'
        : error instanceof APIConnectionError
          ? 'connection_error'
          : error instanceof APIStatusError || error instanceof FutureExpiredError
            ? 'api_status_error'
            : 'validation_error';
  reporter.generic(
    `APIFuture.result_async.${kind}`,
    {
      request_id: request_id ?? null,
      request_type: method,
      exception: e.message ?? String(error),
      exception_type: e.name ?? typeof error,
      ...(e.category ? { error_category: e.category } : {}),
      ...(typeof e.status === 'number' ? { status_code: e.status } : {}),
      is_user_error,
    },
    is_user_error ? 'WARNING' : 'ERROR',
  );
}
