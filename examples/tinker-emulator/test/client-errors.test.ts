import { describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { KEY, client, withEmulator } from './helpers.js';
import { zstd } from './support/proto.js';

/** A GET with the target exactly as given (fetch would normalize it). */
function rawGet(url: string, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/`, { path: target, headers: { 'x-api-key': 'tml-k' }, agent: false });
    request.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    request.on('error', reject);
  });
}

// Answers a client's error handling depends on: clients retry 408, 409, 429 and 5xx (tinker-wire-0.7.0.md
// §7), so a request that can never succeed must get a 4xx, never a 500.
describe('requests that can never succeed get a 4xx', () => {
  it('a path with malformed percent-encoding is a 400, logged, not an emulator error', () =>
    withEmulator({}, async (emulator) => {
      const api = client(emulator);
      const answer = await api.call('GET', '/api/v1/training_runs/%E0%A4%A');
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ detail: 'the request target is not a valid path' });
      expect(emulator.requestLog().map((r) => [r.method, r.path, r.status])).toEqual([
        ['GET', '/api/v1/training_runs/%E0%A4%A', 400],
      ]);
      // The connection and the server stay usable.
      expect((await api.call('GET', '/api/v1/healthz')).status).toBe(200);
    }));

  it('a target the URL parser refuses (an empty host: //) is a 400, not an emulator error', () =>
    withEmulator({}, async (emulator) => {
      const answer = await rawGet(emulator.url, '//:x');
      expect(answer).toEqual({ status: 400, body: '{"detail":"the request target is not a valid path"}' });
    }));

  // A small body that claims more than the documented bound once decompressed (a bomb): 300 frames or
  // members of 1 MiB of zeros each, 300 MiB in all, refused as too large (413) whatever the encoding.
  it.each([
    ['gzip', async () => Buffer.concat(Array(300).fill(gzipSync(Buffer.alloc(1 << 20))))],
    ['zstd', async () => Buffer.concat(Array(300).fill(await zstd(Buffer.alloc(1 << 20))))],
  ])('a %s body above 256 MiB decompressed is a 413 naming the bound', (encoding, build) =>
    withEmulator({}, async (emulator) => {
      const res = await fetch(`${emulator.url}/api/v1/create_session`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json', 'content-encoding': encoding },
        body: new Uint8Array(await build()),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({
        detail: `the ${encoding} body is larger than 256 MiB decompressed`,
      });
    }),
  );

  // RFC 9110 §15.5.6: a 405 carries the methods the resource has, so a client can say what it should use.
  it('a wrong method is a 405 with an Allow header naming the methods the path has', () =>
    withEmulator({}, async (emulator) => {
      const api = client(emulator);
      const wrong = await api.call('GET', '/api/v1/create_session');
      expect([wrong.status, wrong.headers.get('allow'), wrong.body]).toEqual([
        405,
        'POST',
        { detail: 'method not allowed' },
      ]);
      const publish = await api.call('PUT', '/api/v1/training_runs/r/checkpoints/weights/n/publish');
      expect([publish.status, publish.headers.get('allow')]).toEqual([405, 'POST, DELETE']);
    }));

  // The raw body is bounded as the decompressed one is: a client bug that sends a huge body must not
  // fill the emulator's memory. Declared too large: refused before a byte is read.
  it('a body whose Content-Length is above 256 MiB is a 413 at once, the connection closed', () =>
    withEmulator({}, async (emulator) => {
      const answer = await new Promise<{ status: number; body: string; connection?: string }>(
        (resolve, reject) => {
          const request = http.request(`${emulator.url}/api/v1/create_session`, {
            method: 'POST',
            agent: false,
            headers: {
              'x-api-key': KEY,
              'content-type': 'application/json',
              'content-length': 300 * 2 ** 20,
            },
          });
          request.on('response', (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () =>
              resolve({ status: res.statusCode!, body, connection: res.headers.connection }),
            );
          });
          request.on('error', reject);
          request.write('{"tags":'); // and nothing more: the answer must not wait for the rest
        },
      );
      expect(answer).toEqual({
        status: 413,
        body: '{"detail":"the body is larger than 256 MiB"}',
        connection: 'close',
      });
      expect(emulator.requestLog().map((r) => r.status)).toEqual([413]);
    }));

  it('a chunked body that grows above 256 MiB is a 413, and nothing of it is applied', () =>
    withEmulator({}, async (emulator) => {
      const mib = Buffer.alloc(2 ** 20, 0x20); // JSON whitespace
      async function* body() {
        yield Buffer.from('{"tags":[],"sdk_version":"0.7.0"');
        for (let i = 0; i < 257; i++) yield mib;
        yield Buffer.from('}');
      }
      const status = await fetch(`${emulator.url}/api/v1/create_session`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: Readable.from(body()) as unknown as ReadableStream,
        duplex: 'half',
      } as RequestInit).then(
        (res) => res.status,
        () => 'connection closed', // the emulator may close before the client finished sending
      );
      expect([413, 'connection closed']).toContain(status);
      expect(emulator.requestLog().map((r) => r.status)).toEqual([413]);
      expect(emulator.state.sessions.size).toBe(0);
    }));
});
