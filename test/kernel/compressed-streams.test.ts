import { afterEach, describe, expect, it } from '@jest/globals';
import { createGzip } from 'node:zlib';
import { Type } from '@sinclair/typebox';
import { zstdDecodeStream } from '../../src/adapters/compression/fzstd-decoder.js';
import { ZlibCompression } from '../../src/adapters/compression/zlib-compression.js';
import { SerializationError } from '../../src/kernel/errors/serialization-error.js';
import { SseBufferOverflowError } from '../../src/adapters/streaming/sse-decoder.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { scriptedServer } from '../support/scripted-server.js';

// A compressed event stream runs for as long as its server talks: what must be bounded is what the
// client holds at once (one event, one decoder call's output), not the stream's total. Round 30's
// `maxDecompressedBytes` first counted the total, so a long-lived gzip SSE feed failed after 256 MiB.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const EVENT = Type.Object({ n: Type.Integer(), pad: Type.String() });

/** A gzip SSE feed of `count` events of about 1 KiB each, then `end`; or `bytes` without a line break. */
async function gzipFeed(write: (gzip: ReturnType<typeof createGzip>) => Promise<void>) {
  const server = await scriptedServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
    const gzip = createGzip();
    gzip.pipe(res);
    void write(gzip).then(() => gzip.end());
  });
  cleanups.push(server.close);
  const kernel = createKernel({ maxDecompressedBytes: 64 * 1024 }).use(
    definePlugin({
      name: 'feed',
      version: '1',
      defaults: { baseUrl: server.url, maxRetries: 0, breaker: false },
      manifest: {
        name: 'feed',
        version: '1',
        endpoints: [
          { id: 'events', method: 'GET', path: '/events', stream: { doneEvent: 'end', event: EVENT } },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, new UndiciTransport());
  cleanups.push(() => kernel.close());
  return kernel;
}

async function written(gzip: ReturnType<typeof createGzip>, text: string | Buffer): Promise<void> {
  if (!gzip.write(text)) await new Promise((resolve) => gzip.once('drain', resolve));
}

describe('a compressed event stream', () => {
  it('runs past maxDecompressedBytes in total: the bound is on what is held at once', async () => {
    const pad = 'x'.repeat(1000);
    const kernel = await gzipFeed(async (gzip) => {
      for (let n = 0; n < 512; n++) await written(gzip, `data: ${JSON.stringify({ n, pad })}\n\n`);
      await written(gzip, 'event: end\ndata: {}\n\n');
    });
    let count = 0;
    // 512 KiB decoded against a 64 KiB bound; before: a SerializationError after about 64 events.
    for await (const event of kernel.stream('events', {})) expect(event.n).toBe(count++);
    expect(count).toBe(512);
  });

  it('that never ends a line fails typed once one line outgrows the decoder, instead of growing', async () => {
    const zeros = Buffer.alloc(1024 * 1024, 'a');
    const kernel = await gzipFeed(async (gzip) => {
      for (let i = 0; i < 80; i++) await written(gzip, zeros);
    });
    const error = await (async () => {
      for await (const _event of kernel.stream('events', {}));
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SseBufferOverflowError);
    expect((error as Error).message).toContain("the SSE decoder's maxBufferSize");
  });
});

/** A zstd frame of one raw block holding `bytes` (under 128 KiB). */
function zstdFrame(bytes: Buffer): Buffer {
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]); // no FCS, window 2^17
  const block = Buffer.alloc(3);
  block.writeUIntLE((bytes.length << 3) | 1, 0, 3); // raw block, the last of its frame
  return Buffer.concat([header, block, bytes]);
}

describe('the fzstd decoder (Node without native zstd)', () => {
  it('bounds what one input chunk decodes to, not the body', async () => {
    const frame = zstdFrame(Buffer.alloc(100 * 1024, 'b'));
    async function* chunks() {
      for (let i = 0; i < 8; i++) yield frame; // 800 KiB in all, 100 KiB a chunk
    }
    let size = 0;
    for await (const out of zstdDecodeStream(chunks(), 256 * 1024)) size += out.byteLength;
    expect(size).toBe(800 * 1024); // before: RangeError past 256 KiB in total
  });

  it('bounds a body read whole by its total: it stops itself once what it handed on passes maxBytes', async () => {
    const frame = zstdFrame(Buffer.alloc(100 * 1024, 'b'));
    async function* chunks() {
      for (let i = 0; i < 8; i++) yield frame;
    }
    // The kernel keeps every piece of a body read whole: a per-chunk bound let the last chunk's output
    // pile up on top of almost the whole bound already held (about twice the bound at once).
    const decoded = new ZlibCompression({ nativeZstd: false }).decompress(chunks(), 'zstd', 256 * 1024, {
      whole: true,
    });
    let size = 0;
    const error = await (async () => {
      for await (const out of decoded) size += out.byteLength;
    })().catch((e: unknown) => e);
    // before: no error, all 800 KiB handed on (each 100 KiB chunk was under the per-chunk bound)
    expect((error as { code?: unknown })?.code).toBe('ERR_BUFFER_TOO_LARGE');
    expect(size).toBeLessThanOrEqual(256 * 1024);
  });
});

describe('what the kernel asks of the decoder (zstd on fzstd)', () => {
  /** The fzstd adapter, recording the options the kernel passes with each body. */
  class RecordingCompression extends ZlibCompression {
    readonly asked: Array<{ whole?: boolean } | undefined> = [];
    constructor() {
      super({ nativeZstd: false });
    }
    override decompress(
      body: AsyncIterable<Uint8Array>,
      encoding: string | undefined,
      maxBytes?: number,
      options?: { whole?: boolean },
    ) {
      this.asked.push(options);
      return super.decompress(body, encoding, maxBytes, options);
    }
  }

  async function zstdServer() {
    const events = Array.from(
      { length: 8 },
      (_, n) => `data: ${JSON.stringify({ n, pad: 'x'.repeat(60_000) })}\n\n`,
    );
    const server = await scriptedServer((req, res) => {
      const sse = req.path === '/events';
      res.writeHead(200, {
        'content-type': sse ? 'text/event-stream' : 'application/json',
        'content-encoding': 'zstd',
      });
      // Frames of about 60 KB each, about 480 KB in all against a 256 KiB bound.
      const list = `[${'0,'.repeat(240_000)}0]`;
      const parts = sse
        ? [...events, 'event: end\ndata: {}\n\n']
        : Array.from({ length: 8 }, (_, i) => list.slice(i * 60_001, (i + 1) * 60_001));
      res.end(Buffer.concat(parts.map((part) => zstdFrame(Buffer.from(part)))));
    });
    cleanups.push(server.close);
    const compression = new RecordingCompression();
    const kernel = createKernel({ maxDecompressedBytes: 256 * 1024 }).use(
      definePlugin({
        name: 'zstd',
        version: '1',
        defaults: { baseUrl: server.url, maxRetries: 0, breaker: false },
        manifest: {
          name: 'zstd',
          version: '1',
          endpoints: [
            { id: 'events', method: 'GET', path: '/events', stream: { doneEvent: 'end', event: EVENT } },
            { id: 'list', method: 'GET', path: '/list' },
          ],
        },
      }),
    );
    kernel.register(Ports.Transport, new UndiciTransport());
    kernel.register(Ports.Compression, compression);
    cleanups.push(() => kernel.close());
    return { kernel, compression };
  }

  it('a body read whole: bounded by its total, typed, naming the setting', async () => {
    const { kernel, compression } = await zstdServer();
    const error = await kernel.call('list', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toContain('maxDecompressedBytes');
    expect(compression.asked).toEqual([{ whole: true }]); // before: undefined (a per-chunk bound)
  });

  it('a stream: not bounded by its total', async () => {
    const { kernel, compression } = await zstdServer();
    let count = 0;
    for await (const event of kernel.stream('events', {})) expect(event.n).toBe(count++);
    expect(count).toBe(8);
    expect(compression.asked).toEqual([{ whole: false }]);
  });
});
