import { afterEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/index.js';
import { canWrite, compressResponse, type ResponseCoding } from '../src/response-compression.js';
import { KEY } from './helpers.js';

const CODINGS = (['gzip', 'deflate', 'br', 'zstd'] as const).filter(canWrite);
const decoderFor = (coding: ResponseCoding) =>
  coding === 'gzip'
    ? zlib.createGunzip()
    : coding === 'deflate'
      ? zlib.createInflate()
      : coding === 'br'
        ? zlib.createBrotliDecompress()
        : (zlib as unknown as { createZstdDecompress: () => NodeJS.ReadWriteStream }).createZstdDecompress();

/*
 * `compressResponses`: the emulator as a server behind a compressing proxy (a CDN, nginx `gzip on`),
 * off by default as the real service is. Chosen by the request's Accept-Encoding; a stream is flushed
 * write by write, so events still arrive as they are sampled.
 */
let emulator: RunningEmulator | undefined;
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await emulator?.close();
  emulator = undefined;
});

async function start(options: EmulatorOptions) {
  emulator = await startEmulator({ seed: 3, ...options });
  return emulator;
}

/** One raw request; the answer's head and its body bytes as they came (not decoded). */
async function raw(
  emu: RunningEmulator,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const req = request(`${emu.url}${path}`, {
    method,
    headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    agent: false,
  });
  req.end(body ? JSON.stringify(body) : undefined);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode, headers: res.headers, bytes: Buffer.concat(chunks) };
}

describe('compressResponses', () => {
  it('is off by default: asked for gzip, the emulator answers identity with a Content-Length', async () => {
    const emu = await start({});
    const got = await raw(emu, 'GET', '/api/v1/training_runs', { 'accept-encoding': 'gzip, deflate, zstd' });
    expect(got.headers['content-encoding']).toBeUndefined();
    expect(Number(got.headers['content-length'])).toBe(got.bytes.length);
  });

  it('answers in the first of its codings the request accepts; q=0 refuses one; none asked, none sent', async () => {
    const emu = await start({ compressResponses: ['br', 'gzip'] });
    const asked = await raw(emu, 'GET', '/api/v1/training_runs', {
      'accept-encoding': 'gzip, deflate, zstd',
    });
    expect(asked.headers['content-encoding']).toBe('gzip');
    expect(asked.headers.vary).toBe('accept-encoding');
    expect(asked.headers['content-length']).toBeUndefined();
    const json = JSON.parse(zlib.gunzipSync(asked.bytes).toString('utf8'));
    expect(json).toHaveProperty('training_runs');
    const br = await raw(emu, 'GET', '/api/v1/training_runs', { 'accept-encoding': 'br;q=1, gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(JSON.parse(zlib.brotliDecompressSync(br.bytes).toString('utf8'))).toEqual(json);
    const refused = await raw(emu, 'GET', '/api/v1/training_runs', { 'accept-encoding': 'gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(refused.bytes.toString('utf8'))).toEqual(json);
    const none = await raw(emu, 'GET', '/api/v1/training_runs', {});
    expect(none.headers['content-encoding']).toBeUndefined();
  });

  it('compresses error bodies too', async () => {
    const emu = await start({ compressResponses: ['gzip'] });
    const got = await raw(emu, 'GET', '/api/v1/training_runs/nope', { 'accept-encoding': 'gzip' });
    expect(got.status).toBe(404);
    expect(got.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(got.bytes).toString('utf8')).detail).toMatch(/not found/i);
  });

  it.each(CODINGS)(
    'flushes %s write by write: an event reaches the client while the answer is still open',
    async (coding) => {
      // The handler writes one event and holds the rest until the client has decoded it: without a
      // flush the encoder keeps the event and this never completes.
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const server = createServer((req, res) => {
        compressResponse(req, res, coding);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"n":1}\n\n');
        void released.then(() => res.end('data: {"n":2}\n\n'));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      const { port } = server.address() as AddressInfo;
      const req = request(`http://127.0.0.1:${port}/`, {
        headers: { 'accept-encoding': coding },
        agent: false,
      });
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      expect(res.headers['content-encoding']).toBe(coding);
      const decoded = res.pipe(decoderFor(coding));
      let text = '';
      for await (const piece of decoded) {
        text += (piece as Buffer).toString('utf8');
        if (text.endsWith('\n\n')) {
          if (text === 'data: {"n":1}\n\n') release();
        }
      }
      expect(text).toBe('data: {"n":1}\n\ndata: {"n":2}\n\n');
    },
  );

  it('refuses a coding it does not know, naming the option', async () => {
    await expect(startEmulator({ compressResponses: ['lzma' as 'gzip'] })).rejects.toThrow(
      /compressResponses: "lzma"/,
    );
  });
});
