import type { PortToken } from './port-token.js';
/**
 * A body codec for one media type other than JSON (JSON is the Serializer port's job). The manifest names
 * the media type of a request or response body and a codec-specific `schema` (for protobuf, the
 * generated message descriptor); the kernel picks the codec by `Content-Type` / `Accept`.
 */
export interface BodyCodec {
  /** The media type this codec reads and writes, e.g. `application/x-protobuf`. */
  readonly contentType: string;
  /** Encode a request body. Throws a `ValidationError` when `value` does not fit `schema`. */
  encode(value: unknown, schema: unknown): Uint8Array;
  /** Decode a response body; throws when the bytes are not a valid `schema` message. */
  decode(bytes: Uint8Array, schema: unknown): unknown;
  /** Why `schema` is unusable by this codec (undefined when it is usable), checked at registration. */
  checkSchema?(schema: unknown): string | undefined;
}

/**
 * A request body its plugin already wrote in the endpoint's declared media type: a hand-tuned writer
 * for a hot message (the plugin's tests hold it to the codec's output byte for byte). The kernel sends
 * `encodedBody` as it is, on every attempt, instead of asking the codec. Other members of the input
 * stay readable by the plugin's weight functions.
 */
export interface PreEncodedBody {
  readonly encodedBody: Uint8Array;
}

/**
 * A response body's schema with its plugin's hand-tuned reader for a hot message (the mirror of
 * PreEncodedBody): the codec calls `read` instead of decoding by `schema`, and reports its failures as
 * its own. The plugin's tests hold `read` to the codec's output for `schema`.
 */
export interface HandReadBody {
  readonly schema: unknown;
  read(bytes: Uint8Array): unknown;
}

/** The codecs a kernel knows, by media type (the Kiota-style serialization registry). */
export interface CodecRegistry {
  register(codec: BodyCodec): void;
  /** The codec for a `Content-Type` value (parameters such as `; charset=…` ignored), if any. */
  lookup(contentType: string | undefined): BodyCodec | undefined;
}

export const CodecsToken = Symbol.for('pristine.port.Codecs') as PortToken<CodecRegistry>;
