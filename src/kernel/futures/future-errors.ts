import type { ErrorCategory } from '../../ports/futures.js';
import { PristineError } from '../errors/pristine-error.js';

/** The operation ran and failed on the server. */
export class FutureFailedError extends PristineError {
  constructor(message: string, requestId: string, category: ErrorCategory, body?: unknown) {
    super(message, { requestId, category, body, retryable: false });
  }
}

/** The server no longer holds the operation's result, and the protocol does not resubmit. */
export class FutureExpiredError extends PristineError {
  constructor(requestId: string) {
    super(`The result of ${requestId} expired before it was fetched`, {
      requestId,
      category: 'server',
      retryable: true,
    });
  }
}

/** A metadata-only answer announced a result larger than the bytes budget. */
export class ResultTooLargeError extends PristineError {
  constructor(requestId: string, size: number, budget: number) {
    super(`The result of ${requestId} is ${size} bytes, above the budget of ${budget} bytes`, {
      requestId,
      category: 'user',
    });
  }
}

/** The caller cancelled the future; polling stopped. */
export class FutureCancelledError extends PristineError {
  /** `why`, when the cancelling side said (the kernel's close: "the client was closed"). */
  /** `requestId` undefined: cancelled before the server accepted the request (it has no id yet). */
  constructor(requestId: string | undefined, why?: string) {
    const what =
      requestId === undefined
        ? 'A future was cancelled before the server accepted its request'
        : `Future ${requestId} was cancelled`;
    super(`${what}${why ? `: ${why}` : ''}`, { requestId, category: 'user' });
  }
}

/** `result({ timeoutMs })` gave up waiting; the operation may still complete. */
export class FutureTimeoutError extends PristineError {
  /** `requestId` undefined: the server had not accepted the request yet (it has no id). */
  constructor(requestId: string | undefined, timeoutMs: number) {
    const what = requestId ?? 'a request the server has not accepted yet';
    super(`Timed out after ${timeoutMs} ms waiting for ${what}`, { requestId, category: 'unknown' });
  }
}
