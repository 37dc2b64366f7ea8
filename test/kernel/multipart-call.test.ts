import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { InternalServerError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { FileInputSchema } from '../../src/kernel/manifest/file-input.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { RecordingClock } from '../support/recording-clock.js';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';

interface Received {
  contentType: string;
  body: string;
}

/** A loopback server that records each upload and answers the scripted statuses, then 200. */
async function uploadServer(script: number[]) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        contentType: req.headers['content-type'] ?? '',
        body: Buffer.concat(chunks).toString(),
      });
      const status = script.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

// Each test owns its server (and so its recorded uploads and scripted answers).
let server: Awaited<ReturnType<typeof uploadServer>>;
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pristine-multipart-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
const kernels: ReturnType<typeof createKernel>[] = [];
afterEach(async () => {
  // Closed here, not at the end of each test, so a failing assertion leaves no open handle behind.
  await Promise.all(kernels.splice(0).map((k) => k.close()));
  await server.close();
});

const plugin = (url: string) =>
  definePlugin({
    name: 'files',
    version: '1',
    defaults: { baseUrl: url, maxRetries: 2, breaker: false },
    manifest: {
      name: 'files',
      version: '1',
      endpoints: [
        {
          id: 'upload',
          method: 'POST',
          path: '/files',
          bodyType: 'multipart',
          input: Type.Object({ purpose: Type.String(), file: FileInputSchema() }),
        },
      ],
    },
  });

function kernel(url: string) {
  const k = createKernel().use(plugin(url));
  k.register(Ports.Transport, new UndiciTransport());
  k.register(Ports.Clock, new RecordingClock());
  kernels.push(k);
  return k;
}

describe('multipart endpoints through the pipeline', () => {
  it('sends fields and a file read from disk as multipart/form-data, and retries it (the file is re-read)', async () => {
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'file body from disk');
    server = await uploadServer([503]);
    const { received } = server;
    const k = kernel(server.url);
    await expect(
      k.call('upload', {
        purpose: 'fine-tune',
        file: { path, filename: 'notes.txt', contentType: 'text/plain' },
      }),
    ).resolves.toEqual({ ok: 200 });
    expect(received).toHaveLength(2);
    for (const { contentType, body } of received) {
      const boundary = /boundary=(.+)$/.exec(contentType)?.[1];
      expect(boundary).toBeTruthy();
      expect(body).toContain(`--${boundary}`);
      expect(body).toMatch(/name="purpose"\r\n\r\nfine-tune\r\n/);
      expect(body).toMatch(
        /name="file"; filename="notes.txt"\r\nContent-Type: text\/plain\r\n\r\nfile body from disk\r\n/,
      );
    }
  });

  // Found by an SDK author: the debug line of a 3 MB upload said `body_bytes: "stream"` although the
  // request carried its Content-Length.
  it('the debug request line gives the size of a file upload on the wire, not "stream"', async () => {
    const path = join(dir, 'sized.bin');
    await writeFile(path, Buffer.alloc(4096, 1));
    server = await uploadServer([]);
    const k = kernel(server.url);
    const logger = new CaptureLogger({ level: 'debug' });
    k.register(Ports.Logger, logger);
    await k.call('upload', { purpose: 'x', file: { path, filename: 'sized.bin' } });
    const line = logger.records.find((r) => r.message.startsWith('request POST'));
    expect(line?.fields?.body_bytes).toBe(Buffer.byteLength(server.received[0].body, 'latin1'));
    expect(line?.fields?.body_bytes).toBeGreaterThan(4096);
  });

  it('never retries a file that was a one-shot stream: the server error surfaces after one request', async () => {
    server = await uploadServer([503]);
    const { received } = server;
    const k = kernel(server.url);
    const error = await k
      .call('upload', { purpose: 'x', file: { data: Readable.from(['streamed once']), filename: 's.bin' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(received).toHaveLength(1);
    expect(received[0].body).toContain('streamed once');
  });

  it('FileInputSchema rejects a file part with no filename or no source before anything is sent', async () => {
    server = await uploadServer([]);
    const { received } = server;
    const k = kernel(server.url);
    const noName = await k
      .call('upload', { purpose: 'x', file: { path: '/tmp/x' } as never })
      .catch((e: unknown) => e);
    expect(noName).toBeInstanceOf(ValidationError);
    expect(String(noName)).toMatch(/file.*filename/);
    const noSource = await k
      .call('upload', { purpose: 'x', file: { filename: 'a.txt' } })
      .catch((e: unknown) => e);
    expect(noSource).toBeInstanceOf(ValidationError);
    expect(String(noSource)).toMatch(/\/file/);
    const bytes = await k.call('upload', {
      purpose: 'x',
      file: { data: new TextEncoder().encode('raw bytes'), filename: 'b.bin' },
    });
    expect(bytes).toEqual({ ok: 200 });
    expect(received).toHaveLength(1);
    expect(received[0].body).toContain('raw bytes');
    await k.close();
  });

  // Found by hand: a path that cannot be read failed as a retryable APIConnectionError ("Request failed:
  // Unable to open file as blob", Node's words, naming neither the file nor why), retried with backoff.
  it('a file path that cannot be read is a ValidationError naming the field, the path and why; never retried', async () => {
    server = await uploadServer([]);
    const { received } = server;
    const k = kernel(server.url);
    const missing = join(dir, 'no-such-file.txt');
    const error = await k
      .call('upload', { purpose: 'x', file: { path: missing, filename: 'n.txt' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ retryable: false, issues: [{ pointer: '/file', rule: 'file' }] });
    expect(String(error)).toContain(missing);
    expect(String(error)).toContain('ENOENT');
    // A directory is no file either.
    const folder = await k
      .call('upload', { purpose: 'x', file: { path: dir, filename: 'd' } })
      .catch((e: unknown) => e);
    expect(folder).toBeInstanceOf(ValidationError);
    expect(String(folder)).toMatch(/not a file/);
    expect(received).toHaveLength(0);
  });
});
