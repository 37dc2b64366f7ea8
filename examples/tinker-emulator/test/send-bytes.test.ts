import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { sendBytes, sendJson, TEXT_BODY_MAX_BYTES } from '../src/http-util.js';

/** What the server answers: the body registered under the request's path. */
const bodies = new Map<string, Buffer>();
let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/json') return sendJson(res, 201, { text: 'é ✓ \u0000 ÿ' }, { 'x-extra': 'yes' });
    sendBytes(res, 200, 'application/x-protobuf', bodies.get(req.url ?? '')!);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The raw bytes of one answer (head and body as they came off the socket). */
function rawAnswer(path: string): Promise<{ head: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`),
    );
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      resolve({ head: all.subarray(0, end).toString('latin1'), body: all.subarray(end + 4) });
    });
  });
}

const header = (head: string, name: string) =>
  head
    .split('\r\n')
    .find((line) => line.toLowerCase().startsWith(`${name}:`))
    ?.slice(name.length + 1)
    .trim();

describe('binary answers go out byte for byte, small ones as latin1 text', () => {
  it('every byte value, and sizes around the text threshold, arrive unchanged with their length', async () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const cases = [
      Buffer.alloc(0),
      Buffer.from([0xff]),
      every,
      Buffer.from(every.toString('latin1') + Buffer.from(every).reverse().toString('latin1'), 'latin1'),
      Buffer.alloc(TEXT_BODY_MAX_BYTES, 0xc3),
      Buffer.alloc(TEXT_BODY_MAX_BYTES + 1, 0x80),
    ];
    for (const [i, bytes] of cases.entries()) {
      bodies.set(`/case${i}`, bytes);
      const { head, body } = await rawAnswer(`/case${i}`);
      expect(head.startsWith('HTTP/1.1 200')).toBe(true);
      expect(header(head, 'content-type')).toBe('application/x-protobuf');
      expect(header(head, 'content-length')).toBe(String(bytes.length));
      expect(body.equals(bytes)).toBe(true);
    }
  });

  it('random protobuf-sized bodies arrive unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (values) => {
        const bytes = Buffer.from(values);
        bodies.set('/random', bytes);
        const { head, body } = await rawAnswer('/random');
        expect(header(head, 'content-length')).toBe(String(bytes.length));
        expect(body.equals(bytes)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('a JSON answer keeps its status, headers and UTF-8 length', async () => {
    const { head, body } = await rawAnswer('/json');
    const text = JSON.stringify({ text: 'é ✓ \u0000 ÿ' });
    expect(head.startsWith('HTTP/1.1 201')).toBe(true);
    expect(header(head, 'content-type')).toBe('application/json');
    expect(header(head, 'x-extra')).toBe('yes');
    expect(header(head, 'content-length')).toBe(String(Buffer.byteLength(text)));
    expect(body.toString('utf8')).toBe(text);
  });
});
