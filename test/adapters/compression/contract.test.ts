import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import {
  SYNC_COMPRESS_MAX_BYTES,
  ZlibCompression,
} from '../../../src/adapters/compression/zlib-compression.js';

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

function inPieces(bytes: Uint8Array, size: number): Uint8Array[] {
  return Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
    bytes.subarray(i * size, (i + 1) * size),
  );
}

/** The system's zstd binary, when installed: an independent implementation to check frames against. */
function zstdCli(args: string[], input: Uint8Array): Buffer | undefined {
  try {
    return execFileSync('zstd', args, { input, stdio: ['pipe', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

const nativeZstd = new ZlibCompression().nativeZstd;

/**
 * One behavioural suite for every (encoding, implementation) the Compression port offers: gzip on
 * node:zlib, zstd on node:zlib (Node ≥ 22.15, so on CI's Node 24) and zstd on the WASM/JS fallback
 * (forced here, and what runs on Node 20).
 */
const cases = [
  { name: 'gzip', encoding: 'gzip', make: () => new ZlibCompression() },
  { name: 'zstd (fallback: zstd-wasm + fzstd)', encoding: 'zstd', make: () => new ZlibCompression({ nativeZstd: false }) },
  ...(nativeZstd ? [{ name: 'zstd (node:zlib)', encoding: 'zstd', make: () => new ZlibCompression() }] : []),
]; // prettier-ignore

describe.each(cases)('Compression contract: $name', ({ encoding, make }) => {
  const text = Buffer.from('pristine '.repeat(10_000));
  const z = make();

  it('compresses with the requested encoding and decodes its own output, fed in small pieces', async () => {
    const { body, encoding: used } = await z.compress(text, encoding);
    expect(used).toBe(encoding);
    expect(body.byteLength).toBeLessThan(text.byteLength / 10);
    expect(await collect(z.decompress(Readable.from(inPieces(body, 7)), encoding))).toEqual(text);
  });

  it('round-trips an empty body', async () => {
    const { body } = await z.compress(new Uint8Array(0), encoding);
    expect(await collect(z.decompress(Readable.from([body]), encoding))).toEqual(Buffer.alloc(0));
  });

  it('decodes a multi-megabyte body incrementally', async () => {
    const { body } = await z.compress(Buffer.alloc(8 * 1024 * 1024, 97), encoding);
    let chunks = 0;
    let size = 0;
    for await (const c of z.decompress(Readable.from(inPieces(body, 64 * 1024)), encoding)) {
      chunks++;
      size += c.byteLength;
    }
    expect(size).toBe(8 * 1024 * 1024);
    expect(chunks).toBeGreaterThan(1);
  });

  it('fails on a corrupt body instead of yielding garbage', async () => {
    const { body } = await z.compress(text, encoding);
    const corrupt = Buffer.from(body);
    corrupt.fill(0xff, 4, Math.min(40, corrupt.length));
    await expect(collect(z.decompress(Readable.from([corrupt]), encoding))).rejects.toThrow();
  });

  it('passes identity and unknown encodings through untouched', async () => {
    expect(await collect(z.decompress(Readable.from([text]), undefined))).toEqual(text);
    expect(await collect(z.decompress(Readable.from([text]), 'identity'))).toEqual(text);
  });

  it('refuses to write an encoding it does not know', async () => {
    await expect(z.compress(text, 'lz4')).rejects.toThrow(/lz4/);
  });
});

describe('Compression interoperability', () => {
  const text = Buffer.from('interop '.repeat(5_000));

  it.each([
    ['gzip', zlib.gzipSync],
    ['deflate', zlib.deflateSync],
    ['br', zlib.brotliCompressSync],
  ])('decodes %s produced by node:zlib', async (encoding, encode) => {
    const z = new ZlibCompression();
    expect(await collect(z.decompress(Readable.from(inPieces(encode(text), 7)), encoding))).toEqual(text);
  });

  it('gzip output is read back by node:zlib gunzip; gzip is the default encoding', async () => {
    const { body, encoding } = await new ZlibCompression().compress(text);
    expect(encoding).toBe('gzip');
    expect(zlib.gunzipSync(body)).toEqual(text);
  });

  it('the zstd fallback writes one standard frame (magic 28 b5 2f fd, content size, no checksum)', async () => {
    const { body } = await new ZlibCompression({ nativeZstd: false }).compress(text, 'zstd');
    expect(Buffer.from(body.subarray(0, 4)).toString('hex')).toBe('28b52ffd');
    // Frame header descriptor: bits 7-6 = content-size field size, bit 2 = checksum flag (off).
    const descriptor = body[4];
    expect(descriptor >> 6).toBeGreaterThan(0);
    expect(descriptor & 0b100).toBe(0);
    const viaCli = zstdCli(['-d', '-c'], body);
    if (viaCli) expect(viaCli).toEqual(text);
  });

  it('zstd frames cross between node:zlib (when present), the system zstd and the fallback', async () => {
    const fallback = new ZlibCompression({ nativeZstd: false });
    const frames: Uint8Array[] = [];
    const fromCli = zstdCli(['-c', '-3'], text);
    if (fromCli) frames.push(fromCli);
    if (nativeZstd) frames.push((await new ZlibCompression().compress(text, 'zstd')).body);
    frames.push((await fallback.compress(text, 'zstd')).body);
    for (const frame of frames) {
      expect(await collect(fallback.decompress(Readable.from([frame]), 'zstd'))).toEqual(text);
      if (nativeZstd)
        expect(await collect(new ZlibCompression().decompress(Readable.from([frame]), 'zstd'))).toEqual(text);
    }
  });

  // Small bodies are compressed with node:zlib's synchronous call, larger ones with its callback form: on
  // both sides of the limit the bytes must be node:zlib's one-shot bytes for the whole body (same level,
  // the content size in a zstd frame header), or the wire would depend on a body's size.
  const sized = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 5)) % 61));
  const sizes = [
    1,
    300,
    SYNC_COMPRESS_MAX_BYTES - 1,
    SYNC_COMPRESS_MAX_BYTES,
    SYNC_COMPRESS_MAX_BYTES + 1,
    100_000,
  ];
  const zstdCompressSync = (zlib as unknown as { zstdCompressSync?: typeof zlib.gzipSync }).zstdCompressSync;
  it.each([
    ['gzip', zlib.gzipSync],
    ...(nativeZstd && zstdCompressSync ? [['zstd', zstdCompressSync] as const] : []),
  ])(
    '%s bodies either side of the synchronous-size limit come out as node:zlib writes them in one go',
    async (encoding, reference) => {
      const z = new ZlibCompression();
      for (const size of sizes) {
        const body = sized(size);
        const { body: compressed } = await z.compress(body, encoding);
        expect(Buffer.from(compressed)).toEqual(reference(body));
        expect(await collect(z.decompress(Readable.from([compressed]), encoding))).toEqual(body);
      }
    },
  );

  it.each([
    ['the fallback', () => new ZlibCompression({ nativeZstd: false })],
    ...(nativeZstd ? [['node:zlib', () => new ZlibCompression()] as const] : []),
  ])('zstd frames from %s carry the content size and no checksum, small or large', async (_name, make) => {
    for (const size of sizes) {
      const { body } = await make().compress(sized(size), 'zstd');
      expect(Buffer.from(body.subarray(0, 4)).toString('hex')).toBe('28b52ffd');
      // Frame header descriptor: bits 7-6 = content-size field size (a 1-byte field when they are 0 and
      // bit 5, single segment, is set), bit 2 = checksum flag.
      const descriptor = body[4];
      expect(descriptor >> 6 > 0 || (descriptor & 0b10_0000) !== 0).toBe(true);
      expect(descriptor & 0b100).toBe(0);
    }
  });
});
