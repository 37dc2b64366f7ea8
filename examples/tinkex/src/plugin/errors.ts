import { PristineError, type ErrorCategory } from 'pristine';

/** The server ran the request and reported that it failed (a future answered `{error, category}`). */
export class RequestFailedError extends PristineError {
  constructor(
    message: string,
    readonly request_id: string,
    category: ErrorCategory,
    body?: unknown,
  ) {
    super(message, { category, requestId: request_id, body, retryable: category === 'server' });
  }
}

/** Map a wire category string to the kernel's categories; anything unknown is `unknown`. */
export function categoryOf(value: unknown): ErrorCategory {
  const v = typeof value === 'string' ? value.toLowerCase() : '';
  return v === 'user' || v === 'server' ? v : 'unknown';
}
