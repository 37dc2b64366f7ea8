import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  ProxyError,
} from '../../kernel/errors/api-errors.js';
import { sanitizedCause } from '../../kernel/errors/error-secrets.js';
import { PristineError } from '../../kernel/errors/pristine-error.js';
import { requestOrigin } from '../../kernel/errors/request-origin.js';
import type { TransportRequest } from '../../ports/transport.js';
import { permanentTlsProblem } from './tls-failure.js';

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

/**
 * `METHOD scheme://host:port/path` of a request, for messages: the path tells which of many calls in
 * flight failed. Never the query or fragment (signed URLs carry their signature there) nor userinfo; a
 * secret the kernel knows is scrubbed from the message wherever it appears.
 */
export function describeTarget(request: Pick<TransportRequest, 'method' | 'url'>): string {
  return `${request.method} ${originOf(request.url)}${pathOf(request.url)}`;
}

/** The URL's path, '' for a bare `/` (nothing to tell) or a URL that does not parse. */
function pathOf(url: string): string {
  try {
    const { pathname } = new URL(url);
    return pathname === '/' ? '' : pathname;
  } catch {
    return '';
  }
}

function originOf(url: string): string {
  return requestOrigin(url) ?? '(invalid URL)';
}

/**
 * Map a low-level failure (no HTTP status) to the kernel's connection errors. The attempt's deadline
 * decides first: once it has ended, the failure is its timeout or abort, whatever the library reports.
 * The library error is never kept as it is: got's errors hold the request options (headers with the API
 * key, agents with the proxy URL), which `util.inspect` prints. The cause is a sanitized copy.
 */
export function toTransportError(
  error: Error,
  request: TransportRequest,
  // An AttemptDeadline (only its outcome is read; naming the class here would make the two modules
  // import each other).
  deadline?: { readonly reason: PristineError | undefined },
  /** Set when the failure came while the response body was read: what is known of that body. */
  body?: BodyRead,
): PristineError {
  if (deadline?.reason) return deadline.reason;
  if (error instanceof PristineError) return error;
  // got wraps a failure of the request body's source (BodySourceError) in its RequestError: the body's
  // verdict stands, it was no connection error.
  if (error.cause instanceof PristineError && !(error.cause instanceof ProxyTunnelFailure))
    return error.cause;
  // got wraps what its agent reports in a RequestError; the tunnel failure is then its cause.
  const tunnel = error instanceof ProxyTunnelFailure ? error : error.cause;
  if (tunnel instanceof ProxyTunnelFailure) {
    return new ProxyError(
      `Proxy error: ${describeTarget(request)} via ${tunnel.proxy}: ${tunnel.message}`,
      tunnel.proxyStatus,
      { cause: sanitizedCause(tunnel), origin: requestOrigin(request.url) },
    );
  }
  const cause = sanitizedCause(error);
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
      origin: requestOrigin(request.url),
    });
  }
  // A certificate this process does not trust, or a plain-HTTP port behind https://: the same on every
  // attempt until a configuration changes, so never retried (category user, as a proxy's 407), and
  // said as a TLS problem rather than a connection that broke.
  const tls = permanentTlsProblem(code, error.message);
  if (tls !== undefined) {
    return new APIConnectionError(`TLS error: ${describeTarget(request)}: ${tls}`, {
      cause,
      origin: requestOrigin(request.url),
      category: 'user',
      retryable: false,
    });
  }
  // Node refused to build the request (a bad header or URL): no attempt can ever succeed.
  const unsendable = code !== undefined && NEVER_SENDABLE.has(code);
  const what = body ? `: ${bodyCut(body)} (${code ?? error.message})` : ` ${code ?? error.message}`;
  return new APIConnectionError(`Connection error: ${describeTarget(request)}${what}`, {
    cause,
    origin: requestOrigin(request.url),
    ...(unsendable ? { retryable: false } : {}),
  });
}

/** What an adapter knows of a response body whose reading failed. */
export interface BodyRead {
  /** Bytes received before the failure, when the adapter counted them. */
  received?: number;
  /** The response's headers: `content-length` says how much was announced. */
  headers: Record<string, string>;
}

/**
 * The status line and headers arrived, then the body broke off: said as such, since `ECONNRESET` alone
 * reads like a connection that never worked (and a caller may have acted on the status already).
 */
function bodyCut({ received, headers }: BodyRead): string {
  const length = headers['content-length'];
  const cut = 'the response body was cut short';
  if (received === undefined) return length === undefined ? cut : `${cut} (Content-Length ${length})`;
  if (length === undefined) return `${cut} after ${received} bytes`;
  return `${cut} after ${received} of the ${length} bytes its Content-Length announced`;
}

const NEVER_SENDABLE: ReadonlySet<string> = new Set([
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_INVALID_URL',
  'UND_ERR_INVALID_ARG',
]);
