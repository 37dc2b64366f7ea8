import { afterEach, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { APIConnectionError } from '../../src/kernel/errors/api-errors.js';
import { BodySourceError } from '../../src/kernel/errors/body-source-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { FileInputSchema } from '../../src/kernel/manifest/file-input.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { RecordingClock } from '../support/recording-clock.js';
import { json, scriptedServer } from '../support/scripted-server.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** A file part's stream that hands out two 70 KB chunks, then fails: a disk or a pipe gone mid-upload. */
function failingSource() {
  let reads = 0;
  const source = new Readable({
    read() {
      reads++;
      if (reads <= 2) this.push(Buffer.alloc(70_000, 97));
      else this.destroy(Object.assign(new Error('disk went away'), { code: 'EIO' }));
    },
  });
  return source;
}

describe.each([
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
])('a multipart file stream that errors mid-upload (%s)', (_name, transport) => {
  it('rejects with BodySourceError, the stream error as cause, and is never retried', async () => {
    const server = await scriptedServer((_req, res) => json(res, 200, {}));
    cleanups.push(server.close);
    const kernel = createKernel().use(
      definePlugin({
        name: 'files',
        version: '1',
        defaults: { baseUrl: server.url, maxRetries: 3, breaker: false },
        manifest: {
          name: 'files',
          version: '1',
          endpoints: [
            {
              id: 'upload',
              method: 'POST',
              path: '/files',
              bodyType: 'multipart',
              input: Type.Object({ file: FileInputSchema() }),
            },
          ],
        },
      }),
    );
    kernel.register(Ports.Transport, transport());
    const clock = new RecordingClock();
    kernel.register(Ports.Clock, clock);
    cleanups.push(() => kernel.close());
    const error = await kernel.call('upload', { file: { data: failingSource(), filename: 'big.bin' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BodySourceError);
    // Not a connection error: the network was fine, and a caller's retry loop must not send it again.
    expect(error).not.toBeInstanceOf(APIConnectionError);
    const failure = error as BodySourceError;
    expect(failure.retryable).toBe(false);
    expect(failure.message).toMatch(/file part "file" \(big\.bin\).*disk went away/);
    expect(failure.message).toMatch(/cannot be replayed/);
    expect(failure.cause).toMatchObject({ message: 'disk went away', code: 'EIO' });
    // No backoff was slept: the half-read stream was not sent again.
    expect(clock.sleeps).toEqual([]);
  });
});
