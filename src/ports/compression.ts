import type { PortToken } from './port-token.js';
import type { Readable } from 'node:stream';

/** Compression port: compress request bodies and decode `Content-Encoding` on responses, streaming. */
export interface Compression {
  /**
   * The encodings `compress` can write, lower-case (ZlibCompression: gzip, zstd). When given, an
   * endpoint's `compress.encoding` is checked against them at `kernel.use`; without it, only at the call.
   */
  readonly encodings?: readonly string[];
  /**
   * Compress a buffered request body with `encoding` (default `gzip`); returns the encoding name to put
   * in `Content-Encoding`. Rejects for an encoding the adapter cannot write.
   */
  compress(body: Uint8Array, encoding?: string): Promise<{ body: Uint8Array; encoding: string }>;
  /**
   * Decode a response body stream by its `Content-Encoding` (gzip, deflate, br, zstd, identity); an
   * encoding the adapter cannot decode fails the stream. `maxBytes`: the most the adapter may hold
   * decoded at once; a decoder that produces a burst per input chunk (fzstd: a whole frame) must stop
   * itself once one input chunk decodes to more, so that memory stays bounded. Not a bound on the
   * body's total (a stream may run for hours) unless `options.whole` says the reader keeps it all; the
   * kernel bounds a whole body's total itself too.
   */
  decompress(
    body: AsyncIterable<Uint8Array>,
    encoding: string | undefined,
    maxBytes?: number,
    options?: DecompressOptions,
  ): AsyncIterable<Uint8Array> | Readable;
}

/** How the decoded body will be read. */
export interface DecompressOptions {
  /**
   * The reader keeps every decoded byte (a body read whole, not a stream), so `maxBytes` bounds the
   * total: a decoder that produces a burst per input chunk must stop once all it has produced passes
   * `maxBytes`, or that burst lands on top of nearly the whole bound already held (about twice the bound
   * at once). Adapters that hand out small pieces under backpressure (node:zlib) may ignore it.
   */
  whole?: boolean;
}

export const CompressionToken = Symbol.for('pristine.port.Compression') as PortToken<Compression>;
