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

/**
 * The caller cancelled the future; polling stopped. `requestId` is undefined when it was cancelled
 * before the server accepted the request: there is no id yet, and none is made up.
 */
export class FutureCancelledError extends PristineError {
  /** `why`, when the cancelling side said (the kernel's close: "the client was closed"). */
  constructor(requestId: string | undefined, why?: string, endpointId?: string) {
    const what =
      requestId === undefined
        ? `The future of ${endpointId ?? 'a request'} was cancelled before the server accepted it`
        : `Future ${requestId} was cancelled`;
    super(`${what}${why ? `: ${why}` : ''}`, { requestId, category: 'user' });
  }
}

/**
 * `result({ timeoutMs })` gave up waiting; the operation may still complete. `requestId` is undefined
 * when the server had not accepted the request by then (the submission was still on its way or held):
 * there is no id yet, and none is made up.
 */
export class FutureTimeoutError extends PristineError {
  constructor(requestId: string | undefined, timeoutMs: number, endpointId?: string) {
    super(
      requestId === undefined
        ? `Timed out after ${timeoutMs} ms waiting for ${endpointId ?? 'a request'}: the server had not ` +
            'accepted the request yet (no request id); it may still be accepted and run'
        : `Timed out after ${timeoutMs} ms waiting for ${requestId}${endpointId ? ` (${endpointId})` : ''}`,
      { requestId, category: 'unknown' },
    );
  }
}
