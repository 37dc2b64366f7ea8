import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  ProxyError,
} from '../../kernel/errors/api-errors.js';
import { PristineError } from '../../kernel/errors/pristine-error.js';
import type { TransportRequest } from '../../ports/transport.js';
import type { AttemptDeadline } from './attempt-deadline.js';

/**
 * How long a proxy may take to answer CONNECT. A request's own deadline usually ends its wait sooner;
 * this bounds the tunnel it leaves behind.
 */
export const PROXY_CONNECT_TIMEOUT_MS = 10_000;

/**
 * A proxy's refusal of a tunnel, raised inside a library's connect hook (where the request is not known)
 * and turned into a `ProxyError` per request by `toTransportError`. It carries no `code`, so undici fails
 * the requests waiting for that connection instead of reconnecting in a loop.
 */
export class ProxyTunnelFailure extends Error {
  constructor(
    /** The proxy's answer to CONNECT, when it gave one. */
    readonly proxyStatus: number | undefined,
    proxy: string,
    options?: { cause?: unknown },
  ) {
    const code = (options?.cause as { code?: string } | undefined)?.code;
    super(
      proxyStatus === undefined
        ? `CONNECT failed: ${code ?? (options?.cause as Error | undefined)?.message ?? 'no answer'}`
        : `CONNECT answered ${proxyStatus}`,
      options,
    );
    this.name = 'ProxyTunnelFailure';
    this.proxy = originOf(proxy);
  }

  /** The proxy's origin: never its credentials, which `util.inspect` would otherwise print. */
  readonly proxy: string;
}

/** `METHOD scheme://host:port` of a request, for messages: no path, query or credentials. */
export function describeTarget(request: Pick<TransportRequest, 'method' | 'url'>): string {
  return `${request.method} ${originOf(request.url)}`;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Map a low-level failure (no HTTP status) to the kernel's connection errors. The attempt's deadline
 * decides first: once it has ended, the failure is its timeout or abort, whatever the library reports.
 */
export function toTransportError(
  error: Error,
  request: TransportRequest,
  deadline?: AttemptDeadline,
): PristineError {
  if (deadline?.reason) return deadline.reason;
  if (error instanceof PristineError) return error;
  const cause = withoutRequest(error);
  if (cause instanceof ProxyTunnelFailure) {
    return new ProxyError(
      `Proxy error: ${describeTarget(request)} via ${cause.proxy}: ${cause.message}`,
      cause.proxyStatus,
      { cause },
    );
  }
  const code = (error as { code?: string }).code;
  if (request.signal?.aborted || error.name === 'AbortError' || code === 'ABORT_ERR') {
    return new APIUserAbortError(undefined, { cause });
  }
  if (
    error.name === 'TimeoutError' ||
    code === 'ETIMEDOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return new APITimeoutError(`Request timed out: ${describeTarget(request)} ${code ?? ''}`.trimEnd(), {
      cause,
    });
  }
  return new APIConnectionError(`Connection error: ${describeTarget(request)} ${code ?? error.message}`, {
    cause,
  });
}

/**
 * The error to keep as `cause`. got wraps every failure in a RequestError that holds the request's
 * options (headers with credentials, the proxy agent with the proxy's password), which `util.inspect`
 * prints; only what it wraps is kept.
 */
function withoutRequest(error: Error): Error | undefined {
  if (!('options' in error)) return error;
  return error.cause instanceof Error ? error.cause : undefined;
}
