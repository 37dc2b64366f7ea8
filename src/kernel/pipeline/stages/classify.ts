import { APIConnectionError, ClientClosedError, statusError } from '../../errors/api-errors.js';
import { sanitizedCause } from '../../errors/error-secrets.js';
import { PristineError } from '../../errors/pristine-error.js';
import { requestOrigin } from '../../errors/request-origin.js';
import { SerializationError } from '../../errors/serialization-error.js';
import type { BodyCodec } from '../../../ports/body-codec.js';
import type { TransportResponse } from '../../../ports/transport.js';
import { PluginError } from '../../errors/plugin-errors.js';
import { lowerCased } from '../../request/lower-case.js';
import { readAll } from '../../request/read-body.js';
import { decodedBody, decodingFailure } from '../../serialization/codec-failures.js';
import { mediaType } from '../../serialization/codec-registry.js';
import { guardedRawBody } from '../../streams/raw-body.js';
import type { CallContext, CallResult, Stage } from '../context.js';

/** Error bodies larger than this are cut: they are for messages, not data. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Decide once per attempt: success (decode the body), retryable or fatal (throw a status error with
 * the server's retry-after). `x-should-retry` overrides the status rules.
 */
export const classifyStage: Stage = {
  name: 'classify',
  // A `then` chain, not an async function: this runs on every attempt, and each await is a promise.
  run(context, next) {
    return next().then(
      (result) => {
        context.transportResponse = undefined;
        return classify(context, result);
      },
      (error: unknown) => {
        // A stage between here and the transport failed after the server answered: nobody will read
        // that answer, so let go of it now rather than at its deadline.
        context.transportResponse?.cancel();
        context.transportResponse = undefined;
        throw error;
      },
    );
  },
};

function classify(context: CallContext, result: CallResult): CallResult | Promise<CallResult> {
  const response = result.response;
  const { services, endpoint } = context;
  if (!response) throw answeredWithoutResponse(context);
  const requestId = response.headers[lowerCased(services.settings.requestIdHeader)];
  // The body iterable is asked for only when it is read as one: a JSON body read whole never needs it.
  const decoded = () => decompressed(context, response);
  const ok = response.status < 300 || (response.status < 400 && endpoint.spec.redirect === 'manual');
  if (!ok) return failed(context, result, response, decoded(), requestId);
  const responseType = endpoint.spec.responseType ?? 'json';
  if (endpoint.stream || responseType === 'stream') {
    // Built member by member, not spread: an adapter's response may keep its methods on a prototype.
    const streamed: TransportResponse = {
      status: response.status,
      headers: response.headers,
      body: endpoint.stream ? decoded() : rawBody(context, decoded(), response),
      cancel: () => response.cancel(),
    };
    const readWholeBody = response.readAll;
    if (readWholeBody) streamed.readAll = () => readWholeBody.call(response);
    return { ...result, requestId, response: streamed, timeoutMs: context.options.timeoutMs };
  }
  const decode = (raw: Buffer) => decodedResult(context, response, responseType, requestId, raw);
  if (hasCoding(response.headers)) return readAll(decoded()).then(decode);
  const readWholeBody = response.readAll;
  // JSON and text become one string: a body past the bound is no API answer, and read to its end it
  // could take gigabytes first (a 'bytes' body, a file the caller asked for, is not bounded here).
  const max = responseType === 'bytes' ? Infinity : services.settings.maxDecompressedBytes;
  const length = Number(response.headers['content-length'] ?? NaN);
  if (length > max) throw tooLarge(endpoint.id, response, max);
  // Without a Content-Length, only a read that counts can stop at the bound.
  if (readWholeBody && (length <= max || max === Infinity)) return readWhole(response, readWholeBody, decode);
  return readAll(response.body, max, () => tooLarge(endpoint.id, response, max)).then(decode);
}

/** An uncompressed body past `max`: let go of it unread, and say which bound it passed. */
function tooLarge(endpointId: string, response: TransportResponse, max: number): SerializationError {
  response.cancel();
  return SerializationError.tooLarge(endpointId, response.status, undefined, max);
}

/**
 * A stage placed inside `classify` (before `log` or `transport`) returned a result of its own without the
 * transport's live response: nothing to classify or decode. The plugin's mistake, so not retried (a
 * TypeError here passed for a connection error and was).
 */
function answeredWithoutResponse(context: CallContext): PluginError {
  const { endpoint } = context;
  return new PluginError(
    `A stage inside "classify" answered "${endpoint.spec.callName ?? endpoint.id}" without the transport's ` +
      'response (CallResult.response): a stage that answers by itself goes outside classify',
    { endpointId: endpoint.id },
  );
}

/**
 * A raw stream's body: each wait for a chunk bounded by the call's timeout (an event stream bounds its
 * own, see EventStream), as nothing else would end a body the server stopped sending mid-way; and a read
 * cut by the client's close() is that close.
 */
function rawBody(context: CallContext, body: AsyncIterable<Uint8Array>, response: TransportResponse) {
  const { services, endpoint, options } = context;
  const ms = options.timeoutMs;
  const stopping = services.stopping(endpoint.id);
  return guardedRawBody(body, {
    endpointId: endpoint.id,
    idleMs: ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : undefined,
    clock: services.clock,
    cancel: () => response.cancel(),
    closedError: () =>
      stopping.aborted && !options.signal?.aborted ? ClientClosedError.forCall(endpoint) : undefined,
  });
}

async function failed(
  context: CallContext,
  result: CallResult,
  response: TransportResponse,
  body: AsyncIterable<Uint8Array>,
  requestId: string | undefined,
): Promise<never> {
  // A status error stands even when its body does not decompress: the status says what happened.
  const raw = await readAll(body, MAX_ERROR_BODY).catch((error: unknown) => {
    if (error instanceof SerializationError) return Buffer.alloc(0);
    throw error;
  });
  throw errorFor(context, result, decodeLoosely(raw, response.headers['content-type']), requestId);
}

function decodedResult(
  context: CallContext,
  response: TransportResponse,
  responseType: string,
  requestId: string | undefined,
  raw: Buffer,
): CallResult {
  const { status, headers } = response;
  // Results built whole (no spreads of intermediate objects): this runs on every call.
  if (responseType === 'bytes') return { status, headers, requestId, body: raw };
  if (responseType === 'text') return { status, headers, requestId, body: raw.toString('utf8') };
  const { services } = context;
  const decoder = codecFor(context, headers['content-type']);
  try {
    if (decoder === undefined)
      return { status, headers, requestId, body: services.serializer.decode(raw, headers['content-type']) };
    const { decodedAs, codec, schema } = decoder;
    return { status, headers, requestId, body: codec.decode(raw, schema), decodedAs };
  } catch (error) {
    throw decodingFailure(context.endpoint.id, status, headers['content-type'] ?? 'no content-type', error);
  }
}

/**
 * The body by its Content-Encoding; a decoder that fails on the server's bytes fails typed, and so does
 * a body read whole that decodes to more than `maxDecompressedBytes`. A stream (SSE or raw) is handed on
 * chunk by chunk and may run for hours: its total is not bounded, only what is held at once (the
 * decoder's output per input chunk, by the same setting; an event, by the SSE decoder's buffer bound).
 * An endpoint with `decompress: false` (a file download: the bytes as stored) gets the body as it came.
 */
function decompressed(context: CallContext, response: TransportResponse): AsyncIterable<Uint8Array> {
  const { endpoint, services } = context;
  if (!hasCoding(response.headers) || endpoint.spec.decompress === false) return response.body;
  const coding = response.headers['content-encoding'];
  const max = services.settings.maxDecompressedBytes;
  const streamed = endpoint.stream !== undefined || endpoint.spec.responseType === 'stream';
  const body = services.compression.decompress(response.body, coding, max, { whole: !streamed });
  return decodedBody(body, endpoint.id, response.status, coding.trim().toLowerCase(), max, streamed);
}

/**
 * The declared non-JSON media type of this body, its codec and its schema; undefined: the JSON serializer.
 */
function codecFor(
  context: CallContext,
  contentType: string | undefined,
): { decodedAs: string; codec: BodyCodec; schema: unknown } | undefined {
  const bodies = context.options.responseBodies;
  if (!bodies) return undefined;
  const type = mediaType(contentType);
  if (type === undefined || !Object.hasOwn(bodies, type)) return undefined;
  const codec = context.services.codecs.lookup(type);
  return codec && { decodedAs: type, codec, schema: bodies[type] };
}

function hasCoding(headers: Record<string, string>): boolean {
  const coding = headers['content-encoding'];
  return coding !== undefined && coding.trim().toLowerCase() !== 'identity';
}

/**
 * The adapter's whole-body read, with the same error contract as `readAll`, then `decode` in the same
 * `then` (one promise per call less than a read and a decode chained); a decode error is not a broken
 * read.
 */
function readWhole(
  response: TransportResponse,
  readWholeBody: NonNullable<TransportResponse['readAll']>,
  decode: (raw: Buffer) => CallResult,
): Promise<CallResult> {
  let reading: Promise<Uint8Array>;
  try {
    reading = readWholeBody.call(response);
  } catch (error) {
    return Promise.reject(brokenRead(error));
  }
  return reading.then(
    (bytes) =>
      decode(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    (error: unknown) => {
      throw brokenRead(error);
    },
  );
}

function brokenRead(error: unknown): PristineError {
  if (error instanceof PristineError) return error;
  return new APIConnectionError(`Connection broke while reading the response: ${(error as Error).message}`, {
    cause: sanitizedCause(error),
  });
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
    origin: context.request && requestOrigin(context.request.url),
    endpointId: context.endpoint.id,
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
  const entries = validationEntries(record?.detail);
  if (entries) return entries;
  for (const key of ['message', 'detail', 'error']) {
    const value = record?.[key];
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
      return (value as { message: string }).message;
    }
  }
  return JSON.stringify(body).slice(0, 500);
}

/**
 * FastAPI's request-validation answer (`{"detail": [{"loc": [...], "msg": ..., "type": ...}]}`, a 422 by
 * default) as `body.a.b[0]: msg; ...`: the place and rule the server named, without the `type`/`input`
 * noise of the raw JSON. Undefined when `detail` is not such a list (the raw JSON is kept then).
 */
function validationEntries(detail: unknown): string | undefined {
  if (!Array.isArray(detail) || detail.length === 0) return undefined;
  const parts: string[] = [];
  for (const entry of detail as unknown[]) {
    const { loc, msg } = (entry ?? {}) as { loc?: unknown; msg?: unknown };
    if (typeof msg !== 'string') return undefined;
    const place = Array.isArray(loc)
      ? loc.reduce<string>(
          (path, key) =>
            typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${String(key)}` : String(key),
          '',
        )
      : '';
    parts.push(place ? `${place}: ${msg}` : msg);
  }
  return parts.join('; ').slice(0, 500);
}
