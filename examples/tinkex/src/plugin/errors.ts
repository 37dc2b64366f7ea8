import { FutureFailedError, type ErrorCategory } from 'pristine-kernel';

/**
 * The server ran the request and reported that it failed (a future answered `{error, category}`), the
 * Python SDK's `RequestFailedError`. Every such failure is thrown as this class (the poll protocol builds
 * it), and it extends the kernel's `FutureFailedError`, so `catch` sites written for either still match.
 * Never retried by the futures loop: the server already ran the request.
 */
export class RequestFailedError extends FutureFailedError {
  constructor(
    message: string,
    readonly request_id: string,
    category: ErrorCategory,
    body?: unknown,
  ) {
    super(message, request_id, category, body);
  }
}

/** Map a wire category string to the kernel's categories; anything unknown is `unknown`. */
export function categoryOf(value: unknown): ErrorCategory {
  const v = typeof value === 'string' ? value.toLowerCase() : '';
  return v === 'user' || v === 'server' ? v : 'unknown';
}
