import { sanitizedCause } from './error-secrets.js';
import { PristineError } from './pristine-error.js';

/**
 * A codec (the JSON serializer, a media-type codec, the compression adapter) could not encode a request
 * body or decode a response: a value it cannot write (a BigInt, a cycle), or bytes that are not what
 * their Content-Type or Content-Encoding says. No network failure, so not a connection error, and never
 * retried: the same value or the same answer would fail the same way (Azure's core-rest-pipeline:
 * `RestError` with code `PARSE_ERROR`). Encoding fails before anything is sent (category `user`);
 * decoding, on the server's bytes (category `server`). `cause` is what the codec threw.
 */
export class SerializationError extends PristineError {
  /** `encode`: the request body; `decode`: the response. */
  readonly direction: 'encode' | 'decode';

  private constructor(
    message: string,
    direction: 'encode' | 'decode',
    details: ConstructorParameters<typeof PristineError>[1],
  ) {
    super(message, details);
    this.direction = direction;
  }

  /** The request body of `endpointId` could not be encoded by `codec` (nothing was sent). */
  static encoding(endpointId: string, codec: string, error: unknown): SerializationError {
    return new SerializationError(
      `Could not encode the request body of "${endpointId}" (${codec}): ${reasonOf(error)}`,
      'encode',
      { endpointId, category: 'user', retryable: false, cause: sanitizedCause(error) },
    );
  }

  /**
   * The response of `endpointId` (HTTP `status`, named in the message only: `status` stays for status
   * errors) could not be decoded as `codec` says it is.
   */
  static decoding(endpointId: string, status: number, codec: string, error: unknown): SerializationError {
    return new SerializationError(
      `Could not decode the response of "${endpointId}" (HTTP ${status}, ${codec}): ${reasonOf(error)}`,
      'decode',
      { endpointId, category: 'server', retryable: false, cause: sanitizedCause(error) },
    );
  }

  /**
   * The response of `endpointId` decodes (by its Content-Encoding `coding`; none: a JSON or text body as
   * it came) to more than `limit` bytes, the kernel's `maxDecompressedBytes`: a decompression bomb, or a
   * body larger than this client allows.
   */
  static tooLarge(
    endpointId: string,
    status: number,
    coding: string | undefined,
    limit: number,
  ): SerializationError {
    const size =
      coding === undefined
        ? `no content-encoding): its body is more than ${limit} bytes`
        : `content-encoding ${coding}): it decodes to more than ${limit} bytes`;
    return new SerializationError(
      `Could not decode the response of "${endpointId}" (HTTP ${status}, ${size} (the kernel's maxDecompressedBytes)`,
      'decode',
      { endpointId, category: 'server', retryable: false },
    );
  }
}

function reasonOf(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}
