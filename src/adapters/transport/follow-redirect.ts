import type { TransportRequest } from '../../ports/transport.js';
import { carriesCredential, isSecretHeader } from '../../kernel/redact.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Headers that carry credentials; they must not follow a redirect to another origin. */
export const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key'];

/**
 * Remove every credential header before a request goes to another origin: the fixed list, the
 * request's origin-bound headers, any name that looks secret by the kernel's rules
 * (`x-auth-token`, `cf-access-client-secret`, …) and any value that is `<scheme> <credential>`.
 */
export function dropCredentialHeaders(
  headers: Record<string, unknown>,
  originBound: readonly string[] = [],
): void {
  for (const name of CREDENTIAL_HEADERS) delete headers[name];
  for (const name of originBound) delete headers[name];
  for (const name of Object.keys(headers))
    if (isSecretHeader(name) || carriesCredential(headers[name])) delete headers[name];
}

/** Headers that describe a body; they go when the body goes. */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding'];

/**
 * The request to send after a redirect response, or undefined when it must not be followed (not a
 * redirect, no usable location, or a 307/308 whose body was a one-shot stream). Follows the Fetch
 * rules: 303 (and 301/302 after a POST) become a bodiless GET; 307/308 resend method and body.
 * Credentials are dropped when the target is another origin, so a key never leaks to a CDN.
 */
export function redirectTarget(
  request: TransportRequest,
  status: number,
  location: string | undefined,
): TransportRequest | undefined {
  if (!REDIRECT_STATUSES.has(status) || !location) return undefined;
  let target: URL;
  try {
    target = new URL(location, request.url);
  } catch {
    return undefined;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return undefined;
  const headers = { ...request.headers };
  let { method, body } = request;
  const becomesGet =
    (status === 303 && method !== 'GET' && method !== 'HEAD') ||
    ((status === 301 || status === 302) && method === 'POST');
  if (becomesGet) {
    method = 'GET';
    body = undefined;
    for (const name of BODY_HEADERS) delete headers[name];
  } else if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    return undefined; // a stream was consumed by the first request and cannot be sent again
  }
  if (target.origin !== new URL(request.url).origin) dropCredentialHeaders(headers, request.originBound);
  return { ...request, method, url: target.href, headers, body };
}
