import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import {
  StreamEventError,
  StreamIdleTimeoutError,
  StreamTruncatedError,
} from '../../../src/kernel/streams/stream-errors.js';
import { APIConnectionError, APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { Ports } from '../../../src/ports/index.js';
import type { Clock } from '../../../src/ports/clock.js';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { RecordingClock } from '../../support/recording-clock.js';
import { scriptedServer, type Route } from '../../support/scripted-server.js';

const Tick = Type.Object({ n: Type.Integer() });

function kernelFor(url: string) {
  const plugin = definePlugin({
    name: 'feed',
    version: '1',
    defaults: { baseUrl: url, breaker: false },
    manifest: {
      name: 'feed',
      version: '1',
      endpoints: [
        {
          id: 'ticks',
          method: 'POST',
          path: '/ticks',
          input: Type.Object({ from: Type.Integer() }),
          stream: { terminator: '[DONE]', errorEvent: 'error', event: Tick, resume: true },
        },
        { id: 'ticks_done_event', method: 'GET', path: '/ticks2', stream: { doneEvent: 'end' } },
        { id: 'ticks_open_ended', method: 'GET', path: '/ticks3', stream: {} },
        { id: 'count', method: 'GET', path: '/count' },
      ],
    },
  });
  const kernel = createKernel().use(plugin);
  kernel.register(Ports.Clock, new RecordingClock());
  return kernel;
}

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

async function serve(route: Route) {
  const server = await scriptedServer(route);
  cleanups.push(server.close);
  return server;
}

const sse = (res: import('node:http').ServerResponse) =>
  res.writeHead(200, { 'content-type': 'text/event-stream' });

describe('kernel.stream', () => {
  // Found by hand: it sent the request, then failed with "TypeError: Cannot read properties of undefined
  // (reading 'cancel')", since a JSON endpoint's body is read by the pipeline.
  it('refuses an endpoint that declares no stream at once, naming it, with nothing sent', async () => {
    const server = await serve((_req, res) => res.end('{}'));
    const kernel = kernelFor(server.url);
    // @ts-expect-error count declares no stream: a compile error too
    expect(() => kernel.stream('count', {})).toThrow('Endpoint "count" declares no stream');
    expect(() => kernel.stream('nope' as never, {})).toThrow(/^Unknown endpoint "nope"$/);
    // A misspelt id names the one it most likely meant, in every method.
    expect(() => kernel.stream('tick' as never, {})).toThrow(
      'Unknown endpoint "tick" (did you mean "ticks"?)',
    );
    await expect(kernel.call('Count' as never, {})).rejects.toThrow('(did you mean "count"?)');
    expect(server.seen).toHaveLength(0);
    await kernel.close();
  });

  it('yields typed, validated events until the terminator', async () => {
    const server = await serve((_req, res) => {
      sse(res);
      res.end(': comment\n\ndata: {"n":1}\n\ndata: {"n":2}\r\n\r\ndata: [DONE]\n\ndata: {"n":3}\n\n');
    });
    const kernel = kernelFor(server.url);
    const seen: number[] = [];
    for await (const tick of kernel.stream('ticks', { from: 0 })) seen.push(tick.n);
    expect(seen).toEqual([1, 2]);
    await kernel.close();
  });

  it('ends on a done event and throws on an error event', async () => {
    const server = await serve((req, res) => {
      sse(res);
      if (req.path === '/ticks2') res.end('data: a\n\nevent: end\ndata: x\n\ndata: b\n\n');
      else res.end('data: {"n":1}\n\nevent: error\ndata: {"message":"boom"}\n\n');
    });
    const kernel = kernelFor(server.url);
    const words: unknown[] = [];
    for await (const w of kernel.stream('ticks_done_event', undefined as never)) words.push(w);
    expect(words).toEqual(['a']);
    const collected: unknown[] = [];
    await expect(
      (async () => {
        for await (const t of kernel.stream('ticks', { from: 0 })) collected.push(t);
      })(),
    ).rejects.toBeInstanceOf(StreamEventError);
    expect(collected).toEqual([{ n: 1 }]);
    await kernel.close();
  });

  // The undici adapter's response keeps `cancel` on a prototype: a spread copy would lose it.
  it.each([
    ['the default transport', false],
    ['the undici adapter', true],
  ])('closes the socket when the consumer breaks out of the loop (%s)', async (_name, undici) => {
    let closed!: () => void;
    const socketClosed = new Promise<void>((r) => (closed = r));
    const server = await serve((_req, res) => {
      sse(res);
      res.write('data: {"n":1}\n\n');
      res.on('close', () => closed());
    });
    const kernel = kernelFor(server.url);
    if (undici) kernel.register(Ports.Transport, new UndiciTransport());
    for await (const tick of kernel.stream('ticks', { from: 0 })) {
      expect(tick.n).toBe(1);
      break;
    }
    await socketClosed;
    await kernel.close();
  });

  it('retries before the first event but not after it (without an id to resume from)', async () => {
    let calls = 0;
    const server = await serve((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(503).end();
        return;
      }
      sse(res);
      res.write('data: {"n":1}\n\n', () => setImmediate(() => res.socket?.destroy()));
    });
    const kernel = kernelFor(server.url);
    const got: number[] = [];
    const error = await (async () => {
      for await (const t of kernel.stream('ticks', { from: 0 })) got.push(t.n);
    })().catch((e) => e);
    expect(got).toEqual([1]);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(calls).toBe(2);
    await kernel.close();
  });

  it('resumes with Last-Event-ID after a drop once events carried ids', async () => {
    const server = await serve((req, res) => {
      sse(res);
      if (!req.headers['last-event-id']) {
        res.write('id: 7\ndata: {"n":7}\n\n', () => setImmediate(() => res.socket?.destroy()));
      } else {
        res.end(`data: {"n":${Number(req.headers['last-event-id']) + 1}}\n\ndata: [DONE]\n\n`);
      }
    });
    const kernel = kernelFor(server.url);
    const got: number[] = [];
    for await (const t of kernel.stream('ticks', { from: 0 })) got.push(t.n);
    expect(got).toEqual([7, 8]);
    expect(server.seen[1].headers['last-event-id']).toBe('7');
    await kernel.close();
  });

  it.each([
    ['a [DONE] terminator', 'ticks', 'data: {"n":1}\n\n'],
    ['a done event', 'ticks_done_event', 'data: {"n":1}\n\n'],
    ['a terminator, the last event unfinished', 'ticks', 'data: {"n":1}\n\ndata: [DONE]'],
  ])('a stream declaring %s that ends cleanly without it was cut: it throws', async (_name, id, body) => {
    const server = await serve((_req, res) => {
      sse(res);
      res.end(body);
    });
    const kernel = kernelFor(server.url);
    const got: unknown[] = [];
    const error = await (async () => {
      for await (const t of kernel.stream(id as 'ticks', { from: 0 })) got.push(t);
    })().catch((e) => e);
    expect(got).toEqual([{ n: 1 }]);
    expect(error).toBeInstanceOf(StreamTruncatedError);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toContain(id);
    await kernel.close();
  });

  it('resumes a stream that ended without its terminator, as after any other drop', async () => {
    const server = await serve((req, res) => {
      sse(res);
      if (!req.headers['last-event-id']) res.end('id: 3\ndata: {"n":3}\n\n');
      else res.end('data: {"n":4}\n\ndata: [DONE]\n\n');
    });
    const kernel = kernelFor(server.url);
    const got: number[] = [];
    for await (const t of kernel.stream('ticks', { from: 0 })) got.push(t.n);
    expect(got).toEqual([3, 4]);
    expect(server.seen.map((s) => s.headers['last-event-id'])).toEqual([undefined, '3']);
    await kernel.close();
  });

  it('a stream that declares no end marker ends when the body ends', async () => {
    const server = await serve((_req, res) => {
      sse(res);
      res.end('data: a\n\ndata: b\n\n');
    });
    const kernel = kernelFor(server.url);
    const got: unknown[] = [];
    for await (const w of kernel.stream('ticks_open_ended', undefined as never)) got.push(w);
    expect(got).toEqual(['a', 'b']);
    await kernel.close();
  });

  it.each(['signal', 'stream.abort()'])(
    'after an abort through %s, yields none of the events already buffered and rejects with APIUserAbortError',
    async (how) => {
      const server = await serve((_req, res) => {
        sse(res);
        res.end('data: {"n":1}\n\ndata: {"n":2}\n\ndata: {"n":3}\n\ndata: [DONE]\n\n');
      });
      const kernel = kernelFor(server.url);
      const controller = new AbortController();
      const stream = kernel.stream('ticks', { from: 0 }, { signal: controller.signal });
      const got: number[] = [];
      const error = await (async () => {
        for await (const t of stream) {
          got.push(t.n);
          if (how === 'signal') controller.abort();
          else stream.abort();
        }
      })().catch((e) => e);
      expect(got).toEqual([1]);
      expect(error).toBeInstanceOf(APIUserAbortError);
      await kernel.close();
    },
  );

  it('fails with an idle timeout distinct from the request timeout', async () => {
    const server = await serve((_req, res) => {
      sse(res);
      res.write('data: {"n":1}\n\n');
    });
    const kernel = kernelFor(server.url);
    // The idle bound is a deadline: this clock's deadlines come due once the first event is in.
    const clock: Clock = {
      now: () => Date.now(),
      monotonic: () => performance.now(),
      sleep: async () => {},
      after: (_ms, fire) => {
        const timer = setImmediate(fire);
        return () => clearImmediate(timer);
      },
      every: () => () => {},
    };
    kernel.register(Ports.Clock, clock);
    const error = await (async () => {
      for await (const _ of kernel.stream('ticks', { from: 0 }, { idleTimeoutMs: 5 })) {
        /* the server sends nothing more, so the read after the first event times out */
      }
    })().catch((e) => e);
    expect(error).toBeInstanceOf(StreamIdleTimeoutError);
    await kernel.close();
  });
});
