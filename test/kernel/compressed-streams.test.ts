import { afterEach, describe, expect, it } from '@jest/globals';
import { createGzip } from 'node:zlib';
import { Type } from '@sinclair/typebox';
import { zstdDecodeStream } from '../../src/adapters/compression/fzstd-decoder.js';
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
});
