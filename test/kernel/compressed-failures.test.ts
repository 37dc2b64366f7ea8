import { afterEach, describe, expect, it } from '@jest/globals';
import { brotliCompressSync, createGzip, gzipSync } from 'node:zlib';
import { Type } from '@sinclair/typebox';
import { ZlibCompression } from '../../src/adapters/compression/zlib-compression.js';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { APIConnectionError } from '../../src/kernel/errors/api-errors.js';
import { SerializationError } from '../../src/kernel/errors/serialization-error.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { scriptedServer } from '../support/scripted-server.js';

// What the kernel does with compressed answers that are wrong (a server or a proxy in front of it that
// compresses): corrupt, cut, an unknown coding, and a decompression bomb. A failure the same answer would
// repeat (the bytes arrived whole) is a SerializationError, not retried; a connection cut mid-body is a
// connection error, retried. An uncompressed answer past maxDecompressedBytes is bound the same way.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const JSON_BODY = Buffer.from(JSON.stringify({ used: 3, limit: 10 }));
const QUOTA = Type.Object({ used: Type.Integer(), limit: Type.Integer() });

/** One answer for every request: its headers and body, or a hook that writes it. */
type Answer = { headers: Record<string, string | number>; body: Buffer; cut?: boolean };

async function serve(answer: () => Answer) {
  const server = await scriptedServer((_req, res) => {
    const { headers, body, cut } = answer();
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': cut ? body.length + 64 : body.length,
      ...headers,
    });
    if (cut) {
      res.write(body);
      res.socket?.destroy();
    } else res.end(body);
  });
  cleanups.push(server.close);
  return { url: server.url, hits: () => server.seen.length };
}

function kernelFor(
  baseUrl: string,
  transport: () => GotTransport | UndiciTransport,
  options: { maxDecompressedBytes?: number; nativeZstd?: boolean } = {},
) {
  const kernel = createKernel(
    options.maxDecompressedBytes ? { maxDecompressedBytes: options.maxDecompressedBytes } : {},
  ).use(
    definePlugin({
      name: 'files',
      version: '1',
      // Retries with no wait: only whether the kernel retries matters here.
      defaults: { baseUrl, maxRetries: 2, breaker: false },
      retryPolicies: { default: { maxRetries: 2, initialDelayMs: 0, maxDelayMs: 0 } },
      manifest: {
        name: 'files',
        version: '1',
        endpoints: [
          { id: 'quota', method: 'GET', path: '/quota', response: QUOTA },
          { id: 'file', method: 'GET', path: '/file', responseType: 'bytes', decompress: false },
          { id: 'notes', method: 'GET', path: '/notes', responseType: 'text' },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, transport());
  if (options.nativeZstd === false) kernel.register(Ports.Compression, new ZlibCompression(options));
  cleanups.push(() => kernel.close());
  return kernel;
}

/** What `quota` fails with against `url`. */
const failure = (url: string, transport: () => GotTransport | UndiciTransport) =>
  kernelFor(url, transport)
    .call('quota', {})
    .catch((e: unknown) => e);

/** gzip of `mib` MiB of zeros, made in 1 MiB steps (the whole input is never held). */
async function gzipBomb(mib: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mib; i++) if (!gzip.write(zeros)) await new Promise((r) => gzip.once('drain', r));
  gzip.end();
  await done;
  return Buffer.concat(parts);
}

/**
 * One zstd frame of `blocks` RLE blocks of 128 KiB each (4 bytes a block): 8 KiB of frame is 256 MiB of
 * output, and no content size in the header to refuse it by.
 */
function zstdBomb(blocks: number): Buffer {
  const block = 128 * 1024;
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]); // no FCS, window 2^17
  const body = Buffer.alloc(blocks * 4);
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    body.writeUIntLE((block << 3) | (1 << 1) | last, i * 4, 3);
    body[i * 4 + 3] = 0;
  }
  return Buffer.concat([header, body]);
}

describe.each([
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
])('compressed answers that are wrong (%s)', (_name, transport) => {
  it('a corrupt gzip body is a SerializationError naming the coding, not retried', async () => {
    const bad = gzipSync(JSON_BODY);
    bad.fill(0x55, 10, bad.length - 8); // the deflate data, not the header
    const server = await serve(() => ({ headers: { 'content-encoding': 'gzip' }, body: bad }));
    const error = await failure(server.url, transport);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toContain('content-encoding gzip');
    expect(server.hits()).toBe(1);
  });

  it('a gzip body cut short inside a complete HTTP body is a SerializationError, not retried', async () => {
    const whole = gzipSync(JSON_BODY);
    const server = await serve(() => ({
      headers: { 'content-encoding': 'gzip' },
      body: whole.subarray(0, whole.length - 12),
    }));
    const error = await failure(server.url, transport);
    expect(error).toBeInstanceOf(SerializationError);
    expect(server.hits()).toBe(1);
  });

  it('a connection cut mid-way through a gzip body is a connection error, retried', async () => {
    const whole = gzipSync(JSON_BODY);
    const server = await serve(() => ({
      headers: { 'content-encoding': 'gzip' },
      body: whole.subarray(0, 10),
      cut: true,
    }));
    const error = await failure(server.url, transport);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(server.hits()).toBe(3);
  });

  it('an unknown Content-Encoding is a SerializationError naming it, not retried', async () => {
    const server = await serve(() => ({ headers: { 'content-encoding': 'x-snappy' }, body: JSON_BODY }));
    const error = await failure(server.url, transport);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toContain('unsupported Content-Encoding "x-snappy"');
    expect(server.hits()).toBe(1);
  });

  it('br, though not offered, is decoded (the kernel can)', async () => {
    const server = await serve(() => ({
      headers: { 'content-encoding': 'br' },
      body: brotliCompressSync(JSON_BODY),
    }));
    await expect(kernelFor(server.url, transport).call('quota', {})).resolves.toEqual({ used: 3, limit: 10 });
  });

  it.each([
    ['gzip', 'node:zlib'],
    ['zstd', 'default'],
    ['zstd', 'fzstd'],
  ])('a %s bomb stops at maxDecompressedBytes (%s decoder), typed and not retried', async (coding, zstd) => {
    const body = coding === 'gzip' ? await gzipBomb(64) : zstdBomb(512);
    const server = await serve(() => ({ headers: { 'content-encoding': coding }, body }));
    const kernel = kernelFor(server.url, transport, {
      maxDecompressedBytes: 1024 * 1024,
      ...(zstd === 'fzstd' ? { nativeZstd: false } : {}),
    });
    const error = await kernel.call('quota', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toContain('more than 1048576 bytes');
    expect((error as Error).message).toContain('maxDecompressedBytes');
    expect(server.hits()).toBe(1);
  });

  it('an endpoint with decompress: false gets the bytes as they came (a .tar.gz stays one)', async () => {
    const file = gzipSync(Buffer.from('a tar, say'));
    const server = await serve(() => ({
      headers: { 'content-encoding': 'gzip', 'content-type': 'application/gzip' },
      body: file,
    }));
    await expect(kernelFor(server.url, transport).call('file', {})).resolves.toEqual(file);
  });
});

describe('maxDecompressedBytes', () => {
  it('is checked at createKernel', () => {
    expect(() => createKernel({ maxDecompressedBytes: 0 })).toThrow(/maxDecompressedBytes/);
  });
});

// An answer without Content-Encoding far larger than any API answer (a broken server, a proxy that
// serves a file instead): a JSON or text body read whole is bound by maxDecompressedBytes as a
// compressed one is. Before, it was read to its end: 1 GiB of JSON took 2.1 GB of memory and then
// failed with V8's "Cannot create a string longer than 0x1fffffe8 characters".
const LIMIT = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20); // JSON whitespace

/** Answers 4 MiB of JSON, with a Content-Length or chunked; stops writing when the client goes. */
async function serveLarge(withLength: boolean) {
  const total = 64;
  const server = await scriptedServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(withLength ? { 'content-length': total * CHUNK.length } : {}),
    });
    let sent = 0;
    const write = (): void => {
      while (sent < total && !res.destroyed) {
        sent++;
        if (!res.write(CHUNK)) {
          res.once('drain', write);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    res.on('close', () => res.off('drain', write));
    write();
  });
  cleanups.push(server.close);
  return { url: server.url, hits: () => server.seen.length };
}

describe.each([
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
])('an uncompressed answer larger than maxDecompressedBytes (%s)', (_name, transport) => {
  it.each([
    ['a Content-Length', true, 'quota'],
    ['no Content-Length (chunked)', false, 'quota'],
    ['no Content-Length, a text endpoint', false, 'notes'],
  ])('with %s is a SerializationError naming the bound, not retried', async (_case, withLength, id) => {
    const server = await serveLarge(withLength);
    const error = await kernelFor(server.url, transport, { maxDecompressedBytes: LIMIT })
      .call(id as 'quota', {})
      .then(
        () => 'resolved', // not the 4 MiB body: a failed expectation would print all of it
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toContain(`more than ${LIMIT} bytes`);
    expect((error as Error).message).toContain('maxDecompressedBytes');
    expect(server.hits()).toBe(1);
  });
});
