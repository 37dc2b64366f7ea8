import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { APIConnectionError } from '../../src/kernel/errors/api-errors.js';
import { BodySourceError } from '../../src/kernel/errors/body-source-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { RecordingClock } from '../support/recording-clock.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** A loopback server that drains every upload it is sent and counts the requests that arrived. */
async function uploadServer() {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A body stream that hands out two 70 KB chunks, then fails: a disk or a pipe gone mid-upload. */
function failingReadable() {
  let reads = 0;
  return new Readable({
    read() {
      reads++;
      if (reads <= 2) this.push(Buffer.alloc(70_000, 97));
      else this.destroy(Object.assign(new Error('disk went away'), { code: 'EIO' }));
    },
  });
}

async function* failingGenerator(): AsyncGenerator<Uint8Array> {
  yield Buffer.alloc(70_000, 97);
  yield Buffer.alloc(70_000, 97);
  throw Object.assign(new Error('disk went away'), { code: 'EIO' });
}

describe.each([
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
])('a raw request body stream that errors mid-upload (%s)', (_name, transport) => {
  it.each([
    ['a Readable', failingReadable],
    ['an async generator', failingGenerator],
  ])('%s: rejects with BodySourceError, the stream error as cause, never retried', async (_kind, source) => {
    const server = await uploadServer();
    cleanups.push(server.close);
    const kernel = createKernel().use(
      definePlugin({
        name: 'blobs',
        version: '1',
        defaults: { baseUrl: server.url, maxRetries: 3, breaker: false },
        manifest: {
          name: 'blobs',
          version: '1',
          endpoints: [{ id: 'upload', method: 'PUT', path: '/blob', bodyType: 'raw' }],
        },
      }),
    );
    kernel.register(Ports.Transport, transport());
    const clock = new RecordingClock();
    kernel.register(Ports.Clock, clock);
    cleanups.push(() => kernel.close());
    const error = await kernel.call('upload', { body: source() } as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BodySourceError);
    // Not a connection error: the network was fine, and a caller's retry loop must not send it again.
    expect(error).not.toBeInstanceOf(APIConnectionError);
    const failure = error as BodySourceError;
    expect(failure.retryable).toBe(false);
    expect(failure.message).toMatch(/request body.*disk went away/);
    expect(failure.message).toMatch(/cannot be replayed/);
    expect(failure.message).not.toMatch(/part/);
    expect(failure.cause).toMatchObject({ message: 'disk went away', code: 'EIO' });
    // No backoff was slept: the half-read stream was not sent again.
    expect(clock.sleeps).toEqual([]);
    expect(server.requests()).toBeLessThanOrEqual(1);
  });
});
