import { afterEach, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { APIConnectionError, ClientClosedError } from '../../../src/kernel/errors/api-errors.js';
import { Ports } from '../../../src/ports/index.js';
import { feedKernel } from '../../support/feed-kernel.js';
import { RecordingClock } from '../../support/recording-clock.js';

// Found by an SDK author (round 24) with a server killed and restarted mid-stream: a `resume` stream
// reconnected at once, without the wait the server asked for in its `retry:` field, and a reconnect
// that found the server still down (ECONNREFUSED) ended the stream, though the guide allows 3.

/** A recording clock that runs a hook as a sleep starts (to restart a server, or to close the kernel). */
class HookClock extends RecordingClock {
  onSleep: (() => Promise<void> | void) | undefined;
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await this.onSleep?.();
    return super.sleep(ms, signal);
  }
}

interface Loopback {
  port: number;
  lastEventIds: Array<string | undefined>;
  close(): Promise<void>;
}

/** A loopback SSE server on `port` (0: any) whose handler writes to the response. */
async function sseServer(port: number, handle: (res: http.ServerResponse, server: Loopback) => void) {
  const server = http.createServer();
  const loopback: Loopback = {
    port: 0,
    lastEventIds: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        if (!server.listening) resolve();
      }),
  };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const id = req.headers['last-event-id'];
    loopback.lastEventIds.push(typeof id === 'string' ? id : undefined);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    handle(res, loopback);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  loopback.port = (server.address() as AddressInfo).port;
  cleanups.push(loopback.close);
  return loopback;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

function feedKernelOn(port: number) {
  const clock = new HookClock();
  const kernel = feedKernel(`http://127.0.0.1:${port}`, {
    terminator: '[DONE]',
    event: Type.Object({ n: Type.Integer() }),
    resume: true,
  });
  kernel.register(Ports.Clock, clock);
  cleanups.push(() => kernel.close());
  return { kernel, clock };
}

async function drain(kernel: ReturnType<typeof feedKernelOn>['kernel'], got: number[]) {
  try {
    for await (const tick of kernel.stream('ticks')) got.push(tick.n);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The first server: one event with an id, then it goes away (connections dropped, port closed). */
const dies = (res: http.ServerResponse, self: Loopback) =>
  res.write('id: 1\ndata: {"n":1}\n\n', () => void self.close());

it('a server restarted while the stream reconnects: refused reconnects back off, then it resumes', async () => {
  const first = await sseServer(0, dies);
  const { kernel, clock } = feedKernelOn(first.port);
  let second: Loopback | undefined;
  // The server is back during the second wait: the first reconnect (at once) and the second are refused.
  clock.onSleep = async () => {
    if (clock.sleeps.length === 1)
      second = await sseServer(first.port, (res) => res.end('data: {"n":2}\n\ndata: [DONE]\n\n'));
  };
  const got: number[] = [];
  const error = await drain(kernel, got);
  expect(error).toBeUndefined();
  expect(got).toEqual([1, 2]);
  // Reconnect 1 at once (refused), 2 after 250 ms (refused), 3 after 500 ms: the server is back.
  expect(clock.sleeps).toEqual([250, 500]);
  expect(second?.lastEventIds).toEqual(['1']);
});

it('a server that stays down: the stream fails with the connection error after its 3 reconnects', async () => {
  const first = await sseServer(0, dies);
  const { kernel, clock } = feedKernelOn(first.port);
  const got: number[] = [];
  const error = await drain(kernel, got);
  expect(got).toEqual([1]);
  expect(error).toBeInstanceOf(APIConnectionError);
  expect((error as Error).message).toContain('ECONNREFUSED');
  expect(clock.sleeps).toEqual([250, 500]);
});

it("waits the server's retry: field (capped at 60 s) before each reconnect", async () => {
  for (const [retry, waited] of [
    ['1500', 1500],
    ['600000', 60_000],
  ] as const) {
    const server = await sseServer(0, (res, self) => {
      if (self.lastEventIds.length === 1)
        res.write(`retry: ${retry}\nid: 1\ndata: {"n":1}\n\n`, () => res.socket?.destroy());
      else res.end('data: {"n":2}\n\ndata: [DONE]\n\n');
    });
    const { kernel, clock } = feedKernelOn(server.port);
    const got: number[] = [];
    expect(await drain(kernel, got)).toBeUndefined();
    expect(got).toEqual([1, 2]);
    expect(server.lastEventIds).toEqual([undefined, '1']);
    expect(clock.sleeps).toEqual([waited]);
    await kernel.close();
  }
});

it('close() during the wait before a reconnect ends the stream with ClientClosedError, nothing sent', async () => {
  const server = await sseServer(0, (res) =>
    res.write('retry: 5000\nid: 1\ndata: {"n":1}\n\n', () => res.socket?.destroy()),
  );
  const { kernel, clock } = feedKernelOn(server.port);
  clock.hold = true; // the wait lasts until something aborts it
  let closing: Promise<void> | undefined;
  clock.onSleep = () => void (closing = kernel.close());
  const got: number[] = [];
  const error = await drain(kernel, got);
  await closing;
  expect(got).toEqual([1]);
  expect(error).toBeInstanceOf(ClientClosedError);
  expect(server.lastEventIds).toEqual([undefined]);
});
