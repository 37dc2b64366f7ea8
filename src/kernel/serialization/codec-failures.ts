import { PristineError } from '../errors/pristine-error.js';
import { SerializationError } from '../errors/serialization-error.js';

/**
 * A codec's throw while encoding a request body, typed: its own PristineErrors (a ValidationError for a
 * value that does not fit the schema) stand; anything else is a SerializationError naming the endpoint.
 */
export function encodingFailure(endpointId: string, codec: string, error: unknown): PristineError {
  return error instanceof PristineError ? error : SerializationError.encoding(endpointId, codec, error);
}

/** A codec's throw while decoding a response, typed as `encodingFailure` does. */
export function decodingFailure(
  endpointId: string,
  status: number,
  codec: string,
  error: unknown,
): PristineError {
  return error instanceof PristineError
    ? error
    : SerializationError.decoding(endpointId, status, codec, error);
}

/**
 * A decompressed body whose decoder's failures (bytes that are not the Content-Encoding they claim) are
 * SerializationErrors; the transport's own typed failures pass through as they are. Past `maxBytes`
 * decoded bytes in all it stops (the decoder and the connection are released by the iterator's return),
 * unless `streamed`: then only a decoder's own per-chunk bound applies.
 */
export async function* decodedBody(
  body: AsyncIterable<Uint8Array>,
  endpointId: string,
  status: number,
  coding: string,
  maxBytes: number,
  streamed = false,
): AsyncIterable<Uint8Array> {
  let size = 0;
  const total = streamed ? Infinity : maxBytes;
  try {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > total) break;
      yield chunk;
    }
  } catch (error) {
    // A decoder that stops itself at the bound (fzstd decodes a whole chunk per call) says so by code.
    if ((error as { code?: unknown })?.code === 'ERR_BUFFER_TOO_LARGE')
      throw SerializationError.tooLarge(endpointId, status, coding, maxBytes);
    throw decodingFailure(endpointId, status, `content-encoding ${coding}`, error);
  }
  if (size > total) throw SerializationError.tooLarge(endpointId, status, coding, maxBytes);
}
