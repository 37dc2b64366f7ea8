import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { APIConnectionError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { RecordingClock } from '../support/recording-clock.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe.each([
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
])('a gzip response cut mid-body (%s)', (_name, transport) => {
  it('fails as a cut body (a connection error), not a hang nor a decode error', async () => {
    const whole = gzipSync(Buffer.from(JSON.stringify({ text: 'x'.repeat(50_000) + Math.random() })));
    const listening = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(whole.length + 100),
      });
      res.write(whole.subarray(0, 20), () => setImmediate(() => res.socket?.destroy()));
    });
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          listening.closeAllConnections();
          listening.close(() => resolve());
        }),
    );
    const kernel = createKernel().use(
      definePlugin({
        name: 'things',
        version: '1',
        defaults: {
          baseUrl: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`,
          maxRetries: 0,
          breaker: false,
        },
        manifest: {
          name: 'things',
          version: '1',
          endpoints: [{ id: 'get_thing', method: 'GET', path: '/t' }],
        },
      }),
    );
    kernel.register(Ports.Transport, transport());
    kernel.register(Ports.Clock, new RecordingClock());
    cleanups.push(() => kernel.close());
    const error = await kernel.call('get_thing', undefined as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toMatch(/cut short/);
  });
});
