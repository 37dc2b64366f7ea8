import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { APIConnectionError, BadRequestError } from '../../src/kernel/errors/api-errors.js';
import { SerializationError } from '../../src/kernel/errors/serialization-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { RecordingClock } from '../support/recording-clock.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** A loopback server answering every request with `reply`; it counts the requests. */
async function server(reply: (res: http.ServerResponse) => void) {
  let requests = 0;
  const listening = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => reply(res));
  });
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        listening.closeAllConnections();
        listening.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`, requests: () => requests };
}

function kernelFor(url: string) {
  const kernel = createKernel().use(
    definePlugin({
      name: 'things',
      version: '1',
      defaults: { baseUrl: url, maxRetries: 3, breaker: false },
      manifest: {
        name: 'things',
        version: '1',
        endpoints: [
          { id: 'put_thing', method: 'POST', path: '/things', input: Type.Object({ n: Type.Unknown() }) },
          { id: 'get_thing', method: 'GET', path: '/things/1' },
        ],
      },
    }),
  );
  const clock = new RecordingClock();
  kernel.register(Ports.Clock, clock);
  cleanups.push(() => kernel.close());
  return { kernel, clock };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('a codec that cannot encode or decode a body', () => {
  it('a request body the serializer cannot encode is a SerializationError naming the endpoint; nothing is sent', async () => {
    const api = await server((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const { kernel } = kernelFor(api.url);
    const error = await failure(kernel.call('put_thing', { n: 10n }));
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).not.toBeInstanceOf(APIConnectionError);
    const typed = error as SerializationError;
    expect(typed.direction).toBe('encode');
    expect(typed.endpointId).toBe('put_thing');
    expect(typed.retryable).toBe(false);
    expect(typed.category).toBe('user');
    expect(typed.message).toMatch(/Could not encode the request body of "put_thing".*BigInt/);
    expect(typed.cause).toMatchObject({ name: 'TypeError' });
    expect(api.requests()).toBe(0);
  });

  it('a JSON response that does not parse is a SerializationError (decode), not retried', async () => {
    const api = await server((res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":'),
    );
    const { kernel, clock } = kernelFor(api.url);
    const error = await failure(kernel.call('get_thing', undefined as never));
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).not.toBeInstanceOf(APIConnectionError);
    const typed = error as SerializationError;
    expect(typed.direction).toBe('decode');
    expect(typed.endpointId).toBe('get_thing');
    expect(typed.category).toBe('server');
    expect(typed.retryable).toBe(false);
    expect(typed.message).toMatch(
      /Could not decode the response of "get_thing" \(HTTP 200, application\/json\)/,
    );
    expect(typed.cause).toMatchObject({ name: 'SyntaxError' });
    expect(clock.sleeps).toEqual([]);
    expect(api.requests()).toBe(1);
  });

  it('a gzip response that does not decompress is a SerializationError (decode), not a retried connection error', async () => {
    const whole = gzipSync(Buffer.from('{"a":1}'));
    whole[whole.length - 5] ^= 0xff; // a wrong CRC: the server's bytes are bad, the connection was fine
    const api = await server((res) =>
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(whole),
    );
    const { kernel, clock } = kernelFor(api.url);
    const error = await failure(kernel.call('get_thing', undefined as never));
    expect(error).toBeInstanceOf(SerializationError);
    const typed = error as SerializationError;
    expect(typed.direction).toBe('decode');
    expect(typed.message).toMatch(/Could not decode the response of "get_thing".*content-encoding gzip/);
    expect(clock.sleeps).toEqual([]);
    expect(api.requests()).toBe(1);
  });

  it('an error answer whose body does not decompress is still its status error', async () => {
    const whole = gzipSync(Buffer.from('{"message":"busy"}'));
    whole[whole.length - 5] ^= 0xff;
    const api = await server((res) =>
      res.writeHead(400, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(whole),
    );
    const { kernel } = kernelFor(api.url);
    const error = await failure(kernel.call('get_thing', undefined as never));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).status).toBe(400);
  });
});
