import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { HttpError } from './http-util.js';
import { decompressZstd, MAX_DECOMPRESSED_BYTES } from './protocol/zstd.js';

export const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/** What a request body decodes to: the handler's input and what the request log shows. */
export interface DecodedBody {
  /** The handler's input (JSON shape), undefined without a body. */
  body: unknown;
  /**
   * For the request log: the JSON, or the protobuf message as a plain object (built on first call: a
   * protobuf body's is a second copy of its values, which only a reader of the log needs).
   */
  logged: () => unknown;
  protobuf: boolean;
  /** Bytes of the body after decompression (what the request log is bounded by). */
  size: number;
}

/** Decodes a protobuf body for a route that accepts one (see router.ts). */
export type ProtobufDecoder = (bytes: Buffer) => { body: unknown; logged: () => unknown };

const nothing = () => undefined;

function decompress(raw: Buffer, encoding: string | undefined, legacyJson: boolean): Buffer {
  if (raw.length === 0 || encoding === undefined || encoding === 'identity') return raw;
  try {
    if (encoding === 'gzip') return gunzipSync(raw, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
    if (encoding === 'zstd' && !legacyJson) return decompressZstd(raw);
  } catch (error) {
    // A bomb stops at the bound (node:zlib and fzstd both say ERR_BUFFER_TOO_LARGE) instead of filling memory.
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new HttpError(
        413,
        `the ${encoding} body is larger than ${MAX_DECOMPRESSED_BYTES / 2 ** 20} MiB decompressed`,
      );
    throw new HttpError(400, `body is not valid ${encoding}: ${(error as Error).message}`);
  }
  throw new HttpError(415, `Content-Encoding ${encoding} is not supported`);
}

/** `application/json` or `application/<x>+json`, as FastAPI tells a JSON body (parameters already cut). */
function isJsonType(type: string | undefined): boolean {
  return (
    type !== undefined && type.startsWith('application/') && (type === JSON_TYPE || type.endsWith('+json'))
  );
}

/**
 * FastAPI's answer to a body whose Content-Type is not JSON (none included, its default
 * `strict_content_type`): the route's Pydantic model is given the raw bytes and refuses them with 422.
 * Without the `input` echo FastAPI adds (the whole body, up to the 256 MiB the emulator reads).
 */
function notJson(): HttpError {
  return new HttpError(422, [
    {
      type: 'model_attributes_type',
      loc: ['body'],
      // A template literal: the package's import check (independence.test.ts) reads a quoted string after
      // the word before it as an import specifier.
      msg: `Input should be a valid dictionary or object to extract fields from`,
    },
  ]);
}

/**
 * Decode a request body by its `Content-Encoding` (identity, gzip, zstd) and `Content-Type` (JSON, or
 * protobuf where the route has a decoder). The protocol generation is chosen per request, as the real
 * service does: a 0.25.0 client's protobuf `forward_backward` and a 0.7.0 client's JSON one are both served.
 */
export function decodeBody(
  raw: Buffer,
  headers: IncomingHttpHeaders,
  protobuf: ProtobufDecoder | undefined,
  legacyJson: boolean,
): DecodedBody {
  const bytes = decompress(raw, headers['content-encoding']?.trim().toLowerCase(), legacyJson);
  const contentType = headers['content-type'];
  // The common case without parameters or case to fold skips the split (same result).
  const type = contentType === JSON_TYPE ? contentType : contentType?.split(';')[0].trim().toLowerCase();
  if (type === PROTOBUF) {
    if (!protobuf || legacyJson)
      throw new HttpError(415, `Content-Type ${PROTOBUF} is not accepted on this endpoint`);
    return { ...protobuf(bytes), protobuf: true, size: bytes.length };
  }
  if (bytes.length === 0) return { body: undefined, logged: nothing, protobuf: false, size: 0 };
  if (type !== JSON_TYPE && !isJsonType(type)) throw notJson();
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  return { body, logged: () => body, protobuf: false, size: bytes.length };
}
