import { Readable } from 'node:stream';
import type { RequestBody } from '../../ports/transport.js';
import type { CallContext } from '../pipeline/context.js';

export interface BuiltBody {
  body?: RequestBody;
  contentType?: string;
  contentLength?: number;
  replayable: boolean;
}

const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Serialize the body for one attempt: JSON, multipart (only when files are present) or raw bytes. Only
 * multipart encoding is asynchronous; everything else returns at once (no promise per call).
 */
export function buildBody(context: CallContext): BuiltBody | Promise<BuiltBody> {
  const { endpoint, input, services } = context;
  if (BODYLESS.has(endpoint.method)) return { replayable: true };
  const bodyType = endpoint.spec.bodyType ?? 'json';
  if (bodyType === 'raw') {
    const raw = input.body as RequestBody | undefined;
    const oneShot =
      raw instanceof Readable ||
      (raw !== undefined && typeof raw === 'object' && Symbol.asyncIterator in raw);
    return {
      body: raw,
      contentType: (input.contentType as string) ?? 'application/octet-stream',
      replayable: !oneShot,
    };
  }
  if (bodyType === 'json' && endpoint.inputIsBody) {
    // JSON drops undefined members itself, so the input needs no filtered copy.
    return {
      body: services.serializer.encode(input),
      contentType: services.serializer.contentType,
      replayable: true,
    };
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined && endpoint.isBodyKey(key)) fields[key] = value;
  }
  if (bodyType === 'multipart' && services.multipart.hasFiles(fields)) {
    return services.multipart.encode(fields).then((encoded) => ({
      body: encoded.body,
      contentType: encoded.contentType,
      contentLength: encoded.contentLength,
      replayable: encoded.replayable,
    }));
  }
  const encoded = services.serializer.encode(fields);
  return { body: encoded, contentType: services.serializer.contentType, replayable: true };
}
