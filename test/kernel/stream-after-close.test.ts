import { afterEach, describe, expect, it } from '@jest/globals';
import { ClientClosedError } from '../../src/kernel/errors/api-errors.js';
import { scriptedServer, type Route } from '../support/scripted-server.js';
import { feedKernel } from '../support/feed-kernel.js';

/*
 * Found by hand: after `close()`, a stream whose events had all arrived in one chunk went on yielding
 * them, as if the client were still open. Every other call rejects with ClientClosedError after close;
 * an open stream's next read does too (the events already handed out stay the caller's).
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function kernelServing(route: Route) {
  const server = await scriptedServer(route);
  cleanups.push(server.close);
  const kernel = feedKernel(server.url, { terminator: '[DONE]' }, { logLevel: 'off' });
  cleanups.push(() => kernel.close());
  return kernel;
}

const sse = { 'content-type': 'text/event-stream' };

describe('an open stream after the kernel closes', () => {
  it.each([
    ['still open', 'data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\n', false],
    ['wholly received', 'data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n', true],
  ])(
    'rejects its next read with ClientClosedError, its buffered events unread (body %s)',
    async (_name, body, end) => {
      const kernel = await kernelServing((_req, res) => {
        res.writeHead(200, sse);
        if (end) res.end(body);
        else res.write(body);
      });
      const events = kernel.stream('ticks', undefined as never)[Symbol.asyncIterator]();
      expect((await events.next()).value).toEqual({ n: 1 });
      await kernel.close();
      const error = await events.next().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClientClosedError);
      expect((error as Error).message).toBe('Cannot call "ticks": the client was closed.');
      // Ended: a further read is done, as after any failure.
      expect(await events.next()).toEqual({ done: true, value: undefined });
    },
  );

  it('rejects a read waiting for the next chunk with ClientClosedError', async () => {
    const kernel = await kernelServing((_req, res) => {
      res.writeHead(200, sse);
      res.write('data: {"n":1}\n\n'); // and nothing more
    });
    const events = kernel.stream('ticks', undefined as never)[Symbol.asyncIterator]();
    expect((await events.next()).value).toEqual({ n: 1 });
    const waiting = events.next().catch((e: unknown) => e);
    await kernel.close();
    expect(await waiting).toBeInstanceOf(ClientClosedError);
  });

  it('a stream first read after close sends nothing and rejects with ClientClosedError', async () => {
    let requests = 0;
    const kernel = await kernelServing((_req, res) => {
      requests++;
      res.writeHead(200, sse).end('data: [DONE]\n\n');
    });
    const stream = kernel.stream('ticks', undefined as never);
    await kernel.close();
    const error = await stream[Symbol.asyncIterator]()
      .next()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientClosedError);
    expect(requests).toBe(0);
  });
});
