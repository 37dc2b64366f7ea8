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
  constructor(requestId: string, why?: string) {
    super(`Future ${requestId} was cancelled${why ? `: ${why}` : ''}`, { requestId, category: 'user' });
  }
}

/** `result({ timeoutMs })` gave up waiting; the operation may still complete. */
export class FutureTimeoutError extends PristineError {
  constructor(requestId: string, timeoutMs: number) {
    super(`Timed out after ${timeoutMs} ms waiting for ${requestId}`, { requestId, category: 'unknown' });
  }
}
