import { afterEach, describe, expect, it } from '@jest/globals';
import { createKernel } from '../../../src/defaults/kernel.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { APIUserAbortError, ClientClosedError } from '../../../src/kernel/errors/api-errors.js';
import { StreamIdleTimeoutError } from '../../../src/kernel/streams/stream-errors.js';
import { Ports } from '../../../src/ports/index.js';
import { stallingServer } from '../../support/stalling-server.js';

// A `responseType: 'stream'` body (a file download) read through `kernel.execute`: before, nothing bounded
// the wait between two chunks (the transport's body timeout is off for streams, and the call's deadline
// ends with the headers), so a server that stopped mid-body (SIGSTOP, a dead proxy) hung the reader for
// ever. Now each wait for the next chunk is bounded by the call's timeout, as an event stream's is.

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

/** Headers and one chunk, then silence; `more` writes another chunk. */
async function stallingDownload() {
  const server = await stallingServer(
    { 'content-type': 'application/octet-stream', 'content-length': '1000' },
    'first',
  );
  cleanups.push(server.close);
  return server;
}

function kernelFor(url: string) {
  const kernel = createKernel().use(
    definePlugin({
      name: 'files',
      version: '1',
      defaults: { baseUrl: url, breaker: false, maxRetries: 0, timeoutMs: 4_321 },
      manifest: {
        name: 'files',
        version: '1',
        endpoints: [{ id: 'download', method: 'GET', path: '/file', responseType: 'stream' }],
      },
    }),
  );
  const clock = new FakeClock();
  kernel.register(Ports.Clock, clock);
  cleanups.push(() => kernel.close());
  return { kernel, clock };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A download read past its first chunk: the read of the second, pending, settled to its error. */
async function secondRead(kernel: ReturnType<typeof kernelFor>['kernel'], signal?: AbortSignal) {
  const result = await kernel.execute('download', {}, { signal });
  const chunks = result.response!.body[Symbol.asyncIterator]();
  await chunks.next();
  const next = chunks.next().then(
    () => undefined,
    (error: unknown) => error,
  );
  await settle();
  return { next }; // wrapped: an async function returning `next` itself would wait for it
}

describe('a raw stream body whose server stalls, or whose client closes, after some bytes', () => {
  it("fails with StreamIdleTimeoutError after the call's timeout and releases the socket", async () => {
    const server = await stallingDownload();
    const { kernel, clock } = kernelFor(server.url);
    const result = await kernel.execute('download', {});
    const chunks = result.response!.body[Symbol.asyncIterator]();
    const first = await chunks.next();
    expect(Buffer.from(first.value as Uint8Array).toString()).toBe('first');
    const failure = chunks.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    await settle();
    await clock.advance(4_320);
    await settle();
    // Not yet: a wait shorter than the bound is a wait.
    expect(await Promise.race([failure, Promise.resolve('pending')])).toBe('pending');
    await clock.advance(1);
    const error = await failure;
    expect(error).toBeInstanceOf(StreamIdleTimeoutError);
    expect((error as StreamIdleTimeoutError).idleMs).toBe(4_321);
    expect((error as Error).message).toMatch(
      /"download" sent nothing for longer than the call's timeoutMs \(4321 ms\)/,
    );
    await server.socketReleased;
  });

  it('a chunk in time re-arms the bound, and a reader that stops pulling is not timed', async () => {
    const server = await stallingDownload();
    const { kernel, clock } = kernelFor(server.url);
    const result = await kernel.execute('download', {});
    const chunks = result.response!.body[Symbol.asyncIterator]();
    await chunks.next();
    // The reader is slow (a full disk, a paused pipe): time passing between two pulls counts for nothing.
    await clock.advance(10_000);
    // Two chunks each 4 s after its read began: 8 s in all, past the 4,321 ms bound, yet each in time.
    for (const text of ['second', 'third']) {
      const next = chunks.next();
      next.catch(() => {});
      await settle();
      await clock.advance(4_000);
      server.more(text);
      expect(Buffer.from((await next).value as Uint8Array).toString()).toBe(text);
    }
    await chunks.return?.();
    await server.socketReleased;
  });

  it('a read cut by close() is the close (ClientClosedError), not a broken connection', async () => {
    // Found by hand (round 24): service.close() during downloadCheckpoint rejected with
    // "The checkpoint download was cut … the response body was cut short", a retryable connection error.
    const server = await stallingDownload();
    const { kernel } = kernelFor(server.url);
    const { next } = await secondRead(kernel);
    await kernel.close();
    const error = await next;
    expect(error).toBeInstanceOf(ClientClosedError);
    expect((error as Error).message).toBe('Cannot call "download": the client was closed.');
    await server.socketReleased;
  });

  it("a read the caller aborted as the client closed is the caller's abort, not the close", async () => {
    const server = await stallingDownload();
    const { kernel } = kernelFor(server.url);
    const controller = new AbortController();
    const { next } = await secondRead(kernel, controller.signal);
    controller.abort();
    const closing = kernel.close();
    const error = await next;
    expect(error).toBeInstanceOf(APIUserAbortError);
    await closing;
    await server.socketReleased;
  });
});
