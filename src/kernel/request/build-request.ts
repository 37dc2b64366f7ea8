import type { TransportRequest } from '../../ports/transport.js';
import type { CallContext } from '../pipeline/context.js';
import { buildBody } from './build-body.js';
import { buildUrl } from './build-url.js';
import { proxyFor } from './proxy-for.js';

/**
 * Build one attempt's request. Header layering, later wins: plugin static/platform headers, endpoint
 * header params, per-call headers, then the kernel's own (retry count, idempotency key, content type).
 */
export async function buildRequest(
  context: CallContext,
  staticHeaders: Record<string, string>,
): Promise<TransportRequest> {
  const { endpoint, input, options, plugin, services } = context;
  const scheme = plugin.spec.headers;
  const headers: Record<string, string> = { ...staticHeaders };
  for (const [key, name] of Object.entries(endpoint.headerKeys)) {
    const value = input[key];
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  for (const [name, value] of Object.entries(scheme?.dynamic?.(context) ?? {}))
    headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(context.extraHeaders)) headers[name.toLowerCase()] = value;
  const retryHeader = scheme?.retryCount === undefined ? 'x-retry-count' : scheme.retryCount;
  if (retryHeader) headers[retryHeader.toLowerCase()] = String(context.attempt);
  const idempotency = scheme?.idempotency === undefined ? { header: 'idempotency-key' } : scheme.idempotency;
  if (idempotency && context.idempotencyKey)
    headers[idempotency.header.toLowerCase()] = context.idempotencyKey;

  const built = await buildBody(context);
  let body = built.body;
  if (built.contentType) headers['content-type'] = built.contentType;
  if (built.contentLength !== undefined) headers['content-length'] = String(built.contentLength);
  if (!built.replayable) context.replayable = false;
  if (
    endpoint.spec.compress &&
    body !== undefined &&
    (typeof body === 'string' || body instanceof Uint8Array) &&
    byteLength(body) >= services.settings.compressionThresholdBytes
  ) {
    const compressed = await services.compression.compress(
      typeof body === 'string' ? Buffer.from(body) : body,
    );
    body = compressed.body;
    headers['content-encoding'] = compressed.encoding;
  }
  const url = buildUrl(options.baseUrl, endpoint, input, options.query);
  return {
    method: endpoint.method,
    url,
    headers,
    body,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    redirect: endpoint.spec.redirect ?? 'follow',
    streaming: Boolean(endpoint.stream) || endpoint.spec.responseType === 'stream',
    proxy: proxyFor(url, services.settings.proxy),
  };
}

function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}
