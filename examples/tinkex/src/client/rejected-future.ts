import { APIFuture } from 'pristine-kernel';

/** The kernel's Clock port (the injected one). */
type Clock = ConstructorParameters<typeof APIFuture>[2];

/**
 * `make()`'s future, or, when it throws (bad input found before anything was sent), a future rejected
 * with that error: a method that returns a future reports through it, as an async function reports
 * through its promise, so `Promise.all([...])` and `.catch()` on a pipelined call see every failure.
 */
export function futureOrRejected<T>(clock: Clock, make: () => APIFuture<T>): APIFuture<T> {
  try {
    return make();
  } catch (error) {
    return APIFuture.rejected<T>(error, clock);
  }
}

/** The same for a promise, where an `async` function's frame per call is not wanted (`sample`). */
export function promiseOrRejected<T>(make: () => Promise<T>): Promise<T> {
  try {
    return make();
  } catch (error) {
    return Promise.reject(error);
  }
}
