import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { LATIN1_BODY_MAX_BYTES, sendBytes, sendJson } from '../src/http-util.js';

/**
 * One server, two ways of answering the same body: the emulator's (`sendBytes` / `sendJson`) and the way
 * it answered before round 13 (`writeHead`, then `end` with a Buffer or the JSON text). Each request is
 * read as raw bytes from its socket, so any difference on the wire shows.
 */
let server: http.Server;
let port: number;
let next: { bytes?: Uint8Array; json?: unknown; status: number };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const { bytes, json, status } = next;
    const former = req.url === '/former';
    if (bytes !== undefined) {
      if (former) {
        res.writeHead(status, { 'content-type': 'application/x-protobuf', 'content-length': bytes.length });
        res.end(Buffer.from(bytes));
      } else sendBytes(res, status, 'application/x-protobuf', bytes);
    } else if (former) {
      const text = JSON.stringify(json);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        'retry-after': '0',
      });
      res.end(text);
    } else sendJson(res, status, json, { 'retry-after': '0' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The raw answer to `GET path` on a fresh connection, its `Date` header taken out. */
function rawAnswer(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const raw = Buffer.concat(chunks);
      const head = raw.indexOf('\r\n\r\n');
      const lines = raw.subarray(0, head).toString('latin1').split('\r\n');
      const kept = lines.filter((line) => !/^date:/i.test(line)).join('\r\n');
      resolve(Buffer.concat([Buffer.from(kept, 'latin1'), raw.subarray(head)]));
    });
    socket.end(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

async function bothWays(answer: typeof next): Promise<[Buffer, Buffer]> {
  next = answer;
  return [await rawAnswer('/now'), await rawAnswer('/former')];
}

describe('the emulator answers bytes and JSON exactly as it did', () => {
  it('a protobuf body, latin1 string or Buffer, leaves as the same bytes (every byte value, every size)', async () => {
    const size = fc.oneof(
      fc.nat(300),
      fc.integer({ min: LATIN1_BODY_MAX_BYTES - 2, max: LATIN1_BODY_MAX_BYTES + 2 }),
    );
    await fc.assert(
      fc.asyncProperty(size, fc.integer(), fc.constantFrom(200, 400), async (length, seed, status) => {
        const bytes = new Uint8Array(length);
        for (let i = 0; i < length; i++) bytes[i] = (seed + i * 131 + (i >> 3)) & 0xff;
        const [now, former] = await bothWays({ bytes, status });
        expect(now).toEqual(former);
        expect(now.subarray(now.length - length)).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 60 },
    );
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const [now, former] = await bothWays({ bytes: every, status: 200 });
    expect(now).toEqual(former);
  });

  it('a JSON body (non-ASCII text included) leaves as the same bytes, extra headers after the length', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.constantFrom(200, 429, 503), async (json, status) => {
        const [now, former] = await bothWays({ json, status });
        expect(now).toEqual(former);
      }),
      { numRuns: 60 },
    );
  });
});
