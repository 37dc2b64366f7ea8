import type { Readable } from 'node:stream';

/** Compression port: gzip request bodies and decode `Content-Encoding` on responses, streaming. */
export interface Compression {
  /** Compress a buffered request body; returns the encoding name to put in `Content-Encoding`. */
  compress(body: Uint8Array): Promise<{ body: Uint8Array; encoding: string }>;
  /** Decode a response body stream by its `Content-Encoding` (gzip, deflate, br, identity). */
  decompress(
    body: AsyncIterable<Uint8Array>,
    encoding: string | undefined,
  ): AsyncIterable<Uint8Array> | Readable;
}

export const CompressionToken = Symbol.for('pristine.port.Compression');
