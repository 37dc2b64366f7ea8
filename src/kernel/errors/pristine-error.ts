import type { ErrorCategory } from '../../ports/futures.js';

export interface ErrorDetails {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  requestId?: string;
  category?: ErrorCategory;
  retryable?: boolean;
  /** A server-given delay before the next attempt. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** Root of every error the kernel throws. Messages never contain secrets. */
export class PristineError extends Error {
  readonly status: number | undefined;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly requestId: string | undefined;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.headers = details.headers ?? {};
    this.body = details.body;
    this.requestId = details.requestId;
    this.category = details.category ?? 'unknown';
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }
}
