import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { ZlibCompression } from '../../../src/adapters/compression/zlib-compression.js';

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe('ZlibCompression', () => {
  const text = Buffer.from('pristine '.repeat(10_000));
  const z = new ZlibCompression();

  it('gzips request bodies that real gunzip reads back', async () => {
    const { body, encoding } = await z.compress(text);
    expect(encoding).toBe('gzip');
    expect(body.byteLength).toBeLessThan(text.byteLength / 10);
    expect(zlib.gunzipSync(body)).toEqual(text);
  });

  it.each([
    ['gzip', zlib.gzipSync],
    ['deflate', zlib.deflateSync],
    ['br', zlib.brotliCompressSync],
  ])('decodes %s responses as a stream', async (encoding, encode) => {
    const encoded = encode(text);
    const chunks = Array.from({ length: Math.ceil(encoded.length / 7) }, (_, i) =>
      encoded.subarray(i * 7, (i + 1) * 7),
    );
    expect(await collect(z.decompress(Readable.from(chunks), encoding))).toEqual(text);
  });

  it('passes identity and unknown encodings through untouched', async () => {
    expect(await collect(z.decompress(Readable.from([text]), undefined))).toEqual(text);
    expect(await collect(z.decompress(Readable.from([text]), 'identity'))).toEqual(text);
  });

  it('decodes a multi-megabyte body incrementally', async () => {
    const big = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 97));
    let chunks = 0;
    let size = 0;
    for await (const c of z.decompress(Readable.from([big]), 'gzip')) {
      chunks++;
      size += c.byteLength;
    }
    expect(size).toBe(8 * 1024 * 1024);
    expect(chunks).toBeGreaterThan(1);
  });
});
