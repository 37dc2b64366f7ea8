import type { RequestBody, TransportRequest } from '../../ports/transport.js';
import type { CompressSpec } from '../manifest/types.js';
import type { CallContext } from '../pipeline/context.js';
import { buildBody, type BuiltBody } from './build-body.js';
import { encodingFailure } from '../serialization/codec-failures.js';
import { buildUrl } from './build-url.js';
import { lowerCased } from './lower-case.js';

/**
 * Build one attempt's request. Header layering, later wins: plugin static/platform headers, endpoint
 * header params, per-call headers, then the kernel's own (retry count, idempotency key, content type).
 * A request to another origin (`context.crossOrigin`) starts from User-Agent and Accept only and gets
 * none of the plugin's conventions: what the plugin sends its own API is not meant for that host.
 * Synchronous for JSON and raw bodies; a promise only when a multipart body or gzip must be awaited.
 */
export function buildRequest(
  context: CallContext,
  staticHeaders: Record<string, string>,
): TransportRequest | Promise<TransportRequest> {
  const headers = requestHeaders(context, staticHeaders);
  const built = buildBody(context);
  return built instanceof Promise
    ? built.then((body) => withBody(context, headers, body))
    : withBody(context, headers, built);
}

function requestHeaders(context: CallContext, staticHeaders: Record<string, string>): Record<string, string> {
  const { endpoint, input, options, plugin } = context;
  const scheme = plugin.spec.headers;
  if (context.crossOrigin) return crossOriginHeaders(context);
  // Object.assign, not spread: V8 copies a spread of dashed keys slowly (about 3 µs here vs 0.2 µs).
  const headers: Record<string, string> = Object.assign({}, staticHeaders);
  assignHeaderParams(headers, endpoint, input);
  if (scheme?.dynamic) assignLowerCased(headers, scheme.dynamic(context));
  assignLowerCased(headers, options.headers);
  assignLowerCased(headers, context.addedHeaders);
  const retryHeader = scheme?.retryCount === undefined ? 'x-retry-count' : scheme.retryCount;
  if (retryHeader) headers[lowerCased(retryHeader)] = String(context.attempt);
  const idempotency = scheme?.idempotency === undefined ? { header: 'idempotency-key' } : scheme.idempotency;
  if (idempotency && context.idempotencyKey) headers[lowerCased(idempotency.header)] = context.idempotencyKey;
  return headers;
}

/** Endpoint header params and the call's own headers, over User-Agent and Accept. */
function crossOriginHeaders(context: CallContext): Record<string, string> {
  const { endpoint, input, options, plugin } = context;
  const headers: Record<string, string> = Object.assign({}, plugin.crossOriginHeaders);
  assignHeaderParams(headers, endpoint, input);
  assignLowerCased(headers, options.headers);
  assignLowerCased(headers, context.addedHeaders);
  return headers;
}

function withBody(
  context: CallContext,
  headers: Record<string, string>,
  built: BuiltBody,
): TransportRequest | Promise<TransportRequest> {
  const { services } = context;
  const body = built.body;
  if (built.contentType) headers['content-type'] = built.contentType;
  if (built.contentLength !== undefined) headers['content-length'] = String(built.contentLength);
  if (!built.replayable) context.replayable = false;
  const compress = context.options.compress;
  if (
    compress &&
    body !== undefined &&
    (typeof body === 'string' || body instanceof Uint8Array) &&
    byteLength(body) >= minBytes(compress, services.settings.compressionThresholdBytes)
  ) {
    return services.compression
      .compress(typeof body === 'string' ? Buffer.from(body) : body, encodingOf(compress))
      .then(
        (compressed) => {
          headers['content-encoding'] = compressed.encoding;
          return assemble(context, headers, compressed.body);
        },
        (error: unknown) => {
          throw encodingFailure(context.endpoint.id, `content-encoding ${encodingOf(compress)}`, error);
        },
      );
  }
  return assemble(context, headers, body);
}

function assemble(
  context: CallContext,
  headers: Record<string, string>,
  body: RequestBody | undefined,
): TransportRequest {
  const { endpoint, input, options, services } = context;
  // A signed URL on another host gets none of the plugin's conventions, its default query included.
  const defaultQuery = context.crossOrigin ? undefined : context.plugin.spec.defaults?.query;
  const url = buildUrl(options.baseUrl, endpoint, input, options.query, defaultQuery);
  return {
    method: endpoint.method,
    url,
    headers,
    body,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    redirect: endpoint.spec.redirect ?? 'follow',
    streaming: Boolean(endpoint.stream) || endpoint.spec.responseType === 'stream',
    proxy: services.proxyFor(url),
    originBound: context.plugin.originBound,
    pool: endpoint.spec.pool,
  };
}

function assignHeaderParams(
  headers: Record<string, string>,
  endpoint: CallContext['endpoint'],
  input: Record<string, unknown>,
): void {
  // for…in rather than Object.entries: these maps are usually empty, and this runs on every attempt.
  for (const key in endpoint.headerKeys) {
    const value = input[key];
    if (value !== undefined && value !== null) headers[lowerCased(endpoint.headerKeys[key])] = String(value);
  }
}

function assignLowerCased(target: Record<string, string>, source: Record<string, string> | undefined): void {
  for (const name in source) target[lowerCased(name)] = source[name];
}

function minBytes(compress: true | CompressSpec, threshold: number): number {
  return compress === true ? threshold : (compress.minBytes ?? threshold);
}

function encodingOf(compress: true | CompressSpec): string | undefined {
  return compress === true ? undefined : compress.encoding;
}

function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}
