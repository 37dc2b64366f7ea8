import { inspect, type InspectOptionsStylized } from 'node:util';
import type { ErrorCategory } from '../../ports/futures.js';
import { scrubText } from '../redact.js';
import { redactedView, scrubberOf } from './error-secrets.js';

export interface ErrorDetails {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  requestId?: string;
  /** `scheme://host:port` of the request that failed, when one was sent. */
  origin?: string;
  /** The manifest endpoint whose call failed, for an error answer (status errors). */
  endpointId?: string;
  category?: ErrorCategory;
  retryable?: boolean;
  /** A server-given delay before the next attempt. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * Root of every error the kernel throws. Messages never contain secrets: credential shapes are scrubbed
 * here, and the kernel scrubs its known secrets (keys, tokens, proxy passwords) when the error leaves a
 * call. `JSON.stringify`, `util.inspect` and `console.log` print a redacted view: secret-named fields,
 * known secret values and credential shapes are masked in the headers, body and cause too.
 */
export class PristineError extends Error {
  readonly status: number | undefined;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly requestId: string | undefined;
  /**
   * `scheme://host:port` of the request that failed, when one was sent: tells the API's own failures from
   * those of a third party the plugin also talks to (a model hub, a signed download URL).
   */
  readonly origin: string | undefined;
  /**
   * The endpoint whose call got this error answer: a 404 from a listing means "no such API here",
   * from a call naming an id "no such resource".
   */
  readonly endpointId: string | undefined;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: ErrorDetails = {}) {
    super(scrubText(message), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.headers = details.headers ?? {};
    this.body = details.body;
    this.requestId = details.requestId;
    this.origin = details.origin;
    this.endpointId = details.endpointId;
    this.category = details.category ?? 'unknown';
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return redactedView(this);
  }

  /** Like Node's own error format (stack, then the fields), but from the redacted view. */
  [inspect.custom](
    _depth: number,
    options: InspectOptionsStylized,
    inspectFn: typeof inspect = inspect,
  ): string {
    const stack = scrubberOf(this).scrub(this.stack ?? `${this.name}: ${this.message}`);
    const { name: _name, message: _message, ...fields } = redactedView(this);
    if (Object.keys(fields).length === 0) return stack;
    return `${stack} ${inspectFn(fields, options)}`;
  }
}
