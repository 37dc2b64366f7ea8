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
   * body's total (a stream may run for hours): the kernel bounds a whole body's total itself.
   */
  decompress(
    body: AsyncIterable<Uint8Array>,
    encoding: string | undefined,
    maxBytes?: number,
  ): AsyncIterable<Uint8Array> | Readable;
}

export const CompressionToken = Symbol.for('pristine.port.Compression') as PortToken<Compression>;
