import { APIConnectionError, statusError } from '../../errors/api-errors.js';
import { sanitizedCause } from '../../errors/error-secrets.js';
import { PristineError } from '../../errors/pristine-error.js';
import type { TransportResponse } from '../../../ports/transport.js';
import { readAll } from '../../request/read-body.js';
import { mediaType } from '../../serialization/codec-registry.js';
import type { CallContext, CallResult, Stage } from '../context.js';

/** Error bodies larger than this are cut: they are for messages, not data. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Decide once per attempt: success (decode the body), retryable or fatal (throw a status error with
 * the server's retry-after). `x-should-retry` overrides the status rules.
 */
export const classifyStage: Stage = {
  name: 'classify',
  async run(context, next) {
    const result = await next();
    const response = result.response!;
    const { services, endpoint } = context;
    const requestId = response.headers[services.settings.requestIdHeader.toLowerCase()];
    const body = services.compression.decompress(response.body, response.headers['content-encoding']);
    const ok = response.status < 300 || (response.status < 400 && endpoint.spec.redirect === 'manual');
    if (!ok) {
      const raw = await readAll(body, MAX_ERROR_BODY);
      throw errorFor(context, result, decodeLoosely(raw, response.headers['content-type']), requestId);
    }
    const responseType = endpoint.spec.responseType ?? 'json';
    if (endpoint.stream || responseType === 'stream') {
      return { ...result, requestId, response: { ...response, body: body as AsyncIterable<Uint8Array> } };
    }
    const raw =
      response.readAll && !hasCoding(response.headers) ? await readWhole(response) : await readAll(body);
    const base = { status: response.status, headers: response.headers, requestId };
    if (responseType === 'bytes') return { ...base, body: raw };
    if (responseType === 'text') return { ...base, body: raw.toString('utf8') };
    return { ...base, ...decodeBody(context, raw, response.headers['content-type']) };
  },
};

/** A declared non-JSON media type goes to its codec; everything else to the JSON serializer. */
function decodeBody(
  context: CallContext,
  raw: Buffer,
  contentType: string | undefined,
): { body: unknown; decodedAs?: string } {
  const { services, options } = context;
  const bodies = options.responseBodies;
  const type = bodies ? mediaType(contentType) : undefined;
  if (type !== undefined && bodies && Object.hasOwn(bodies, type)) {
    const codec = services.codecs.lookup(type);
    if (codec) return { body: codec.decode(raw, bodies[type]), decodedAs: type };
  }
  return { body: services.serializer.decode(raw, contentType) };
}

function hasCoding(headers: Record<string, string>): boolean {
  const coding = headers['content-encoding'];
  return coding !== undefined && coding.trim().toLowerCase() !== 'identity';
}

/** The adapter's whole-body read, with the same error contract as `readAll`. */
async function readWhole(response: TransportResponse): Promise<Buffer> {
  try {
    const bytes = await response.readAll!();
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    if (error instanceof PristineError) throw error;
    throw new APIConnectionError(`Connection broke while reading the response: ${(error as Error).message}`, {
      cause: sanitizedCause(error),
    });
  }
}

function decodeLoosely(raw: Buffer, contentType: string | undefined): unknown {
  const text = raw.toString('utf8');
  if (contentType?.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export function shouldRetryStatus(status: number, headers: Record<string, string>): boolean {
  const override = headers['x-should-retry'];
  if (override === 'true') return true;
  if (override === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function errorFor(context: CallContext, result: CallResult, body: unknown, requestId: string | undefined) {
  const { status, headers } = result;
  const policy = context.plugin.spec.retryPolicies?.[context.endpoint.spec.retry ?? 'default'];
  const final = policy?.fatalStatuses?.includes(status) ?? false;
  return statusError(status, `${status} ${summarize(body)}`, {
    headers,
    body,
    requestId,
    retryable: !final && shouldRetryStatus(status, headers),
    retryAfterMs: parseRetryAfterFor(context, headers),
  });
}

function parseRetryAfterFor(context: CallContext, headers: Record<string, string>): number | undefined {
  return context.services.retryAfter(headers);
}

function summarize(body: unknown): string {
  if (body === undefined || body === '') return 'status code (no body)';
  if (typeof body === 'string') return body.slice(0, 500);
  const record = body as Record<string, unknown>;
  for (const key of ['message', 'detail', 'error']) {
    const value = record?.[key];
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
      return (value as { message: string }).message;
    }
  }
  return JSON.stringify(body).slice(0, 500);
}
