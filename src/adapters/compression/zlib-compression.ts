import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Compression } from '../../ports/compression.js';

const gzip = promisify(zlib.gzip);

/** gzip request bodies; decode gzip, deflate and br responses as streams (never buffered whole). */
export class ZlibCompression implements Compression {
  async compress(body: Uint8Array): Promise<{ body: Uint8Array; encoding: string }> {
    return { body: await gzip(body), encoding: 'gzip' };
  }

  decompress(body: AsyncIterable<Uint8Array>, encoding: string | undefined): AsyncIterable<Uint8Array> {
    const coding = encoding?.trim().toLowerCase();
    if (!coding || coding === 'identity') return body;
    const decoder =
      coding === 'gzip' || coding === 'x-gzip'
        ? zlib.createGunzip()
        : coding === 'deflate'
          ? zlib.createInflate()
          : coding === 'br'
            ? zlib.createBrotliDecompress()
            : undefined;
    if (!decoder) return body;
    return Readable.from(body).pipe(decoder);
  }
}
