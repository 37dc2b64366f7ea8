import { Readable } from 'node:stream';
import type { PreEncodedBody } from '../../ports/body-codec.js';
import type { RequestBody } from '../../ports/transport.js';
import { PristineError } from '../errors/pristine-error.js';
import { encodingFailure } from '../serialization/codec-failures.js';
import { BODYLESS_METHODS } from './bodyless-methods.js';
import { guardedSource } from './guarded-source.js';
import type { CallContext } from '../pipeline/context.js';

export interface BuiltBody {
  body?: RequestBody;
  contentType?: string;
  contentLength?: number;
  replayable: boolean;
}

const EMPTY = new Uint8Array(0);

/**
 * Serialize the body for one attempt: JSON, multipart (only when files are present) or raw bytes. Only
 * multipart encoding is asynchronous; everything else returns at once (no promise per call).
 */
export function buildBody(context: CallContext): BuiltBody | Promise<BuiltBody> {
  const { endpoint, input, services } = context;
  if (BODYLESS_METHODS.has(endpoint.method)) return { replayable: true };
  // Only path/query/header params (e.g. POST …/publish, DELETE /files/{id}): an empty body
  // (`Content-Length: 0`), as the reference clients send, never `{}`. (A missing body makes got wait
  // forever on a POST or DELETE.) No Content-Type either: no JSON is sent, and servers such as Fastify
  // answer 400 to an empty body that claims to be `application/json`.
  if (endpoint.bodiless) return { body: EMPTY, replayable: true };
  const bodyType = endpoint.spec.bodyType ?? 'json';
  if (bodyType === 'raw') {
    const raw = input.body as RequestBody | undefined;
    const oneShot =
      raw instanceof Readable ||
      (raw !== undefined && typeof raw === 'object' && Symbol.asyncIterator in raw);
    return {
      body: oneShot ? guardedSource(raw as AsyncIterable<unknown>) : raw,
      contentType: (input.contentType as string) ?? 'application/octet-stream',
      replayable: !oneShot,
    };
  }
  const declared = endpoint.spec.requestBody;
  if (declared) return encodeDeclared(context, declared.contentType, declared.schema);
  if (bodyType === 'json' && endpoint.inputIsBody) {
    // JSON drops undefined members itself, so the input needs no filtered copy.
    return {
      body: serialized(context, input),
      contentType: services.serializer.contentType,
      replayable: true,
    };
  }
  const fields = bodyFields(context);
  if (bodyType === 'multipart' && services.multipart.hasFiles(fields)) {
    return services.multipart.encode(fields).then(
      (encoded) => ({
        body: encoded.body,
        contentType: encoded.contentType,
        contentLength: encoded.contentLength,
        replayable: encoded.replayable,
      }),
      (error: unknown) => {
        throw encodingFailure(endpoint.id, 'multipart', error);
      },
    );
  }
  const encoded = serialized(context, fields);
  return { body: encoded, contentType: services.serializer.contentType, replayable: true };
}

function bodyFields(context: CallContext): Record<string, unknown> {
  const { endpoint, input } = context;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined && endpoint.isBodyKey(key)) fields[key] = value;
  }
  return fields;
}

/** A body in a declared media type (e.g. protobuf), encoded by the codec registered for it. */
function encodeDeclared(context: CallContext, contentType: string, schema: unknown): BuiltBody {
  const codec = context.services.codecs.lookup(contentType);
  if (!codec) throw new PristineError(`No codec is registered for "${contentType}" (${context.endpoint.id})`);
  const encoded = (context.input as Partial<PreEncodedBody>).encodedBody;
  if (encoded instanceof Uint8Array) return { body: encoded, contentType, replayable: true };
  const value = context.endpoint.inputIsBody ? context.input : bodyFields(context);
  let body: Uint8Array;
  try {
    body = codec.encode(value, schema);
  } catch (error) {
    throw encodingFailure(context.endpoint.id, contentType, error);
  }
  return { body, contentType, replayable: true };
}

/** The JSON serializer's encoding of `value`; what it cannot write fails typed, before anything is sent. */
function serialized(context: CallContext, value: unknown): string | Uint8Array {
  try {
    return context.services.serializer.encode(value);
  } catch (error) {
    throw encodingFailure(context.endpoint.id, context.services.serializer.contentType, error);
  }
}
