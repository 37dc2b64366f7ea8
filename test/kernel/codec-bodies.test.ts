import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { DurationSchema, TimestampSchema } from '@bufbuild/protobuf/wkt';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Type } from '@sinclair/typebox';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { ManifestError } from '../../src/kernel/manifest/manifest-error.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import type { EndpointSpec } from '../../src/kernel/manifest/types.js';
import { zstdDecodeStream } from '../../src/adapters/compression/fzstd-decoder.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let server: http.Server;
let url = '';
const received: Received[] = [];
/** What the server answers: protobuf when the request's Accept asks for it, JSON otherwise. */
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      if (req.url === '/broken') {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(Buffer.from([0x0a, 0xff]));
      } else if (req.headers.accept?.includes('application/x-protobuf')) {
        const body = toBinary(DurationSchema, create(DurationSchema, { seconds: 90n, nanos: 5 }));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(body);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"seconds":"90"}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const endpoints = [
  {
    id: 'put_duration',
    method: 'POST',
    path: '/duration',
    requestBody: { contentType: 'application/x-protobuf', schema: DurationSchema },
    responseBodies: { 'application/x-protobuf': DurationSchema },
  },
  {
    id: 'put_zstd',
    method: 'POST',
    path: '/zstd',
    requestBody: { contentType: 'application/x-protobuf', schema: DurationSchema },
    compress: { encoding: 'zstd', minBytes: 0 },
  },
  {
    id: 'get_json',
    method: 'GET',
    path: '/json',
    response: Type.Object({ seconds: Type.String() }),
  },
  {
    id: 'broken',
    method: 'GET',
    path: '/broken',
    responseBodies: { 'application/x-protobuf': DurationSchema },
  },
  {
    id: 'publish',
    method: 'POST',
    path: '/things/{id}/publish',
    input: Type.Object({ id: Type.String() }),
    responseType: 'text',
  },
  {
    id: 'remove',
    method: 'DELETE',
    path: '/things/{id}',
    input: Type.Object({ id: Type.String() }),
    responseType: 'text',
  },
] as const;

function kernel(extra: readonly EndpointSpec[] = []) {
  const k = createKernel().use(
    definePlugin({
      name: 'bodies',
      version: '1',
      defaults: { baseUrl: url, maxRetries: 0, breaker: false },
      manifest: { name: 'bodies', version: '1', endpoints: [...endpoints, ...extra] },
    }),
  );
  k.register(Ports.Transport, new UndiciTransport());
  return k;
}

describe('content-type-keyed bodies', () => {
  it('encodes a declared protobuf request and decodes the protobuf answer its Content-Type names', async () => {
    received.length = 0;
    const k = kernel();
    const result = await k.executeById(
      'put_duration',
      { seconds: 3n, nanos: 7 },
      { headers: { accept: 'application/x-protobuf' } },
    );
    expect(received[0].headers['content-type']).toBe('application/x-protobuf');
    const sent = fromBinary(DurationSchema, received[0].body);
    expect([sent.seconds, sent.nanos]).toEqual([3n, 7]);
    expect(result.decodedAs).toBe('application/x-protobuf');
    expect((result.body as { seconds: bigint }).seconds).toBe(90n);
    await k.close();
  });

  it('sends a pre-encoded body as it is (a plugin’s hand-tuned writer), compressed when the endpoint asks', async () => {
    received.length = 0;
    const k = kernel();
    const bytes = toBinary(DurationSchema, create(DurationSchema, { seconds: 11n, nanos: 3 }));
    await k.executeById('put_duration', { encodedBody: bytes, note: 'read by weight functions only' });
    await k.executeById('put_zstd', { encodedBody: bytes });
    expect(received[0].headers['content-type']).toBe('application/x-protobuf');
    expect(Buffer.compare(received[0].body, Buffer.from(bytes))).toBe(0);
    expect(received[1].headers['content-encoding']).toBe('zstd');
    const parts: Uint8Array[] = [];
    for await (const part of zstdDecodeStream(Readable.from([received[1].body]))) parts.push(part);
    const sent = fromBinary(DurationSchema, Buffer.concat(parts));
    expect([sent.seconds, sent.nanos]).toEqual([11n, 3]);
    await k.close();
  });

  it('decodes JSON as before when the server answers JSON to the same endpoint', async () => {
    const k = kernel();
    const result = await k.executeById('put_duration', { seconds: 1n });
    expect(result.body).toEqual({ seconds: '90' });
    expect(result.decodedAs).toBeUndefined();
    await k.close();
  });

  it('takes per-call response bodies over the endpoint (how a poll names its result type)', async () => {
    const k = kernel();
    const result = await k.executeById('get_json', undefined, {
      headers: { accept: 'application/x-protobuf' },
      responseBodies: { 'application/x-protobuf': DurationSchema },
    });
    expect((result.body as { nanos: number }).nanos).toBe(5);
    await k.close();
  });

  it('decodes with a hand-tuned reader named with the schema (a plugin’s reader for a hot message)', async () => {
    const k = kernel();
    const read = (bytes: Uint8Array) => ({ hand: fromBinary(DurationSchema, bytes).nanos });
    const result = await k.executeById('get_json', undefined, {
      headers: { accept: 'application/x-protobuf' },
      responseBodies: { 'application/x-protobuf': { schema: DurationSchema, read } },
    });
    expect(result.body).toEqual({ hand: 5 });
    expect(result.decodedAs).toBe('application/x-protobuf');
    // The reader's failure is reported as the codec's own: a server-category error naming the message.
    const failing = () => {
      throw new Error('truncated');
    };
    await expect(
      k.executeById('broken', undefined, {
        responseBodies: { 'application/x-protobuf': { schema: DurationSchema, read: failing } },
      }),
    ).rejects.toMatchObject({
      category: 'server',
      message: expect.stringMatching(/google\.protobuf\.Duration.*truncated/),
    });
    await k.close();
  });

  it('compresses a declared body with zstd when the endpoint asks, whatever its size', async () => {
    received.length = 0;
    const k = kernel();
    await k.executeById('put_zstd', { seconds: 42n });
    const { headers, body } = received[0];
    expect(headers['content-encoding']).toBe('zstd');
    expect(headers['content-type']).toBe('application/x-protobuf');
    const parts: Uint8Array[] = [];
    for await (const part of zstdDecodeStream(Readable.from([body]))) parts.push(part);
    expect(fromBinary(DurationSchema, Buffer.concat(parts)).seconds).toBe(42n);
    await k.close();
  });

  it('a per-call compress option overrides the endpoint (gzip here)', async () => {
    received.length = 0;
    const k = kernel();
    await k.executeById('put_zstd', { seconds: 42n }, { compress: { encoding: 'gzip', minBytes: 0 } });
    expect(received[0].headers['content-encoding']).toBe('gzip');
    const plain = await promisify(zlib.gunzip)(received[0].body);
    expect(fromBinary(DurationSchema, plain).seconds).toBe(42n);
    await k.close();
  });

  it('bad input for a protobuf body is a ValidationError and nothing is sent', async () => {
    received.length = 0;
    const k = kernel();
    await expect(k.executeById('put_duration', { seconds: 'soon' })).rejects.toBeInstanceOf(ValidationError);
    await expect(k.executeById('put_duration', 7)).rejects.toBeInstanceOf(ValidationError);
    expect(received).toHaveLength(0);
    await k.close();
  });

  it('a malformed protobuf answer fails the call with a server-category error', async () => {
    const k = kernel();
    await expect(k.executeById('broken', undefined)).rejects.toMatchObject({
      category: 'server',
      message: expect.stringContaining('google.protobuf.Duration'),
    });
    await k.close();
  });
});

describe.each([
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
])('bodiless calls (%s)', (_name, transport) => {
  it('a POST or DELETE whose input is only path params sends an empty body (not even {})', async () => {
    received.length = 0;
    const k = kernel();
    k.register(Ports.Transport, transport());
    await k.executeById('publish', { id: 'a' });
    await k.executeById('remove', { id: 'a' });
    expect(received.map((r) => [r.body.length, r.headers['transfer-encoding']])).toEqual([
      [0, undefined],
      [0, undefined],
    ]);
    expect(received[0].headers['content-length']).toBe('0');
    await k.close();
  });

  it('an empty body carries no Content-Type: servers such as Fastify refuse an empty application/json body', async () => {
    received.length = 0;
    const k = kernel();
    k.register(Ports.Transport, transport());
    await k.executeById('publish', { id: 'a' });
    await k.executeById('remove', { id: 'a' });
    expect(received.map((r) => r.headers['content-type'])).toEqual([undefined, undefined]);
    await k.close();
  });
});

describe('manifest checks for bodies and compression', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['unknown requestBody key', { requestBody: { contentType: 'application/x-protobuf', schema: DurationSchema, x: 1 } }, /x/],
    ['a media type without a codec', { requestBody: { contentType: 'application/cbor', schema: {} } }, /no codec/],
    ['a schema the codec cannot use', { responseBodies: { 'application/x-protobuf': { type: 'object' } } }, /descriptor/],
    ['an upper-case media type', { responseBodies: { 'Application/X-Protobuf': TimestampSchema } }, /lower-case/],
    ['requestBody with multipart', { bodyType: 'multipart', requestBody: { contentType: 'application/x-protobuf', schema: DurationSchema } }, /bodyType/],
    ['compress without encoding', { compress: { minBytes: 1 } }, /encoding/],
    ['compress with a negative size', { compress: { encoding: 'zstd', minBytes: -1 } }, /minBytes/],
    ['compress with an unknown key', { compress: { encoding: 'zstd', level: 3 } }, /level/],
  ]; // prettier-ignore
  it.each(bad)('rejects %s at registration', (_name, extra, message) => {
    const endpoint = { id: 'extra', method: 'POST', path: '/extra', ...extra } as unknown as EndpointSpec;
    expect(() => kernel([endpoint])).toThrow(ManifestError);
    expect(() => kernel([endpoint])).toThrow(message);
  });
});
