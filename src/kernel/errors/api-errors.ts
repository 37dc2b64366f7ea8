import { PristineError, type ErrorDetails } from './pristine-error.js';

/** An error that happened while talking to the API. */
export class APIError extends PristineError {}

/** The connection failed or broke before a complete response arrived. Retryable. */
export class APIConnectionError extends APIError {
  constructor(message = 'Connection error.', details: ErrorDetails = {}) {
    super(message, { category: 'server', retryable: true, ...details });
  }
}

/** The attempt did not finish within its timeout. Retryable. */
export class APITimeoutError extends APIConnectionError {
  constructor(message = 'Request timed out.', details: ErrorDetails = {}) {
    super(message, details);
  }
}

/**
 * The proxy refused or broke the tunnel (`CONNECT`), so the request never reached the API. A 407
 * (proxy authentication) can never succeed with the same credentials and is fatal at once, in the
 * user category; anything else (502, a closed or unreachable proxy) is retried like any connection error.
 */
export class ProxyError extends APIConnectionError {
  /** The proxy's answer to `CONNECT`, when it gave one. */
  readonly proxyStatus: number | undefined;

  constructor(message: string, proxyStatus: number | undefined, details: ErrorDetails = {}) {
    const fatal = proxyStatus === 407;
    super(message, { category: fatal ? 'user' : 'server', retryable: !fatal, ...details });
    this.proxyStatus = proxyStatus;
  }
}

/** The caller aborted through its AbortSignal; `cause` is the signal's reason. Never retried. */
export class APIUserAbortError extends APIError {
  constructor(message?: string, details: ErrorDetails = {}) {
    super(message ?? abortMessage(details.cause), { category: 'user', retryable: false, ...details });
  }
}

/**
 * A caller who gave `AbortSignal.timeout(ms)` set a deadline, and "aborted" alone would send them
 * looking for whoever aborted: the signal's reason (a `TimeoutError`) says it was the deadline. So does
 * an `APITimeoutError` reason, the deadline a client built on the kernel puts on a whole call (Tinkex's
 * per-call `timeoutMs`): the request's log line and spans then name it, as the call's own error does.
 */
function abortMessage(reason: unknown): string {
  if (reason instanceof APITimeoutError) return `Request was aborted: ${reason.message}.`;
  return (reason as { name?: unknown } | undefined)?.name === 'TimeoutError'
    ? 'Request was aborted: its signal timed out (AbortSignal.timeout).'
    : 'Request was aborted.';
}

/**
 * The client (its kernel or transport) was closed: nothing is sent after `close()`, and a call that was
 * waiting to retry when it came ends here. Never retried: no later attempt could succeed.
 */
export class ClientClosedError extends APIError {
  constructor(
    message = 'The client was closed: no request is sent after close().',
    details: ErrorDetails = {},
  ) {
    super(message, { category: 'user', retryable: false, ...details });
  }

  /**
   * An exchange close() cut while its request was under way: it may have reached the server (a POST may
   * have been applied), which "nothing is sent after close()" would deny.
   */
  static underWay(): ClientClosedError {
    return new ClientClosedError(
      'The client was closed while this request was under way: it may have reached the server, and its answer was not read.',
    );
  }

  /** A call refused because its client was closed, named as its users know it. */
  static forCall(endpoint: { id: string; spec: { callName?: string } }): ClientClosedError {
    return new ClientClosedError(
      `Cannot call "${endpoint.spec.callName ?? endpoint.id}": the client was closed.`,
    );
  }
}

/** The server answered with a non-success status. */
export class APIStatusError extends APIError {
  declare readonly status: number;
}

export class BadRequestError extends APIStatusError {}
export class AuthenticationError extends APIStatusError {}
export class PermissionDeniedError extends APIStatusError {}
export class NotFoundError extends APIStatusError {}
export class ConflictError extends APIStatusError {}
export class UnprocessableEntityError extends APIStatusError {}
export class RateLimitError extends APIStatusError {}
export class InternalServerError extends APIStatusError {}

/** The circuit for this key is open: the call failed fast and touched no network. */
export class CircuitOpenError extends APIError {
  constructor(key: string, details: ErrorDetails = {}) {
    super(`Circuit open for ${key}; failing fast.`, { category: 'server', retryable: false, ...details });
  }
}

const byStatus: Record<number, typeof APIStatusError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** Build the status error class that matches `status`. */
export function statusError(status: number, message: string, details: ErrorDetails): APIStatusError {
  const ErrorClass = status >= 500 ? InternalServerError : (byStatus[status] ?? APIStatusError);
  const category = details.category ?? (status >= 500 ? 'server' : status >= 400 ? 'user' : 'unknown');
  return new ErrorClass(message, { ...details, status, category });
}
