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
 * SerializationErrors; the transport's own typed failures pass through as they are.
 */
export async function* decodedBody(
  body: AsyncIterable<Uint8Array>,
  endpointId: string,
  status: number,
  coding: string,
): AsyncIterable<Uint8Array> {
  try {
    yield* body;
  } catch (error) {
    throw decodingFailure(endpointId, status, `content-encoding ${coding}`, error);
  }
}
