import { afterEach, describe, expect, it } from '@jest/globals';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { StreamIdleTimeoutError } from '../../../src/kernel/streams/stream-errors.js';
import { Ports } from '../../../src/ports/index.js';
import type { Clock } from '../../../src/ports/clock.js';
import { stallingServer } from '../../support/stalling-server.js';

/**
 * A clock whose deadlines come due only when the test fires them (time passes only when it says so),
 * and whose sleeps end at once, like many test clocks: the idle bound must not be a sleep.
 */
class HandClock implements Clock {
  readonly deadlines: Array<{ ms: number; fire: () => void }> = [];
  now(): number {
    return 1_700_000_000_000;
  }
  monotonic(): number {
    return 0;
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
  after(ms: number, fire: () => void): () => void {
    const entry = { ms, fire };
    this.deadlines.push(entry);
    return () => {
      const at = this.deadlines.indexOf(entry);
      if (at >= 0) this.deadlines.splice(at, 1);
    };
  }
  every(): () => void {
    return () => {};
  }
}

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

/** Headers and one event, then nothing for ever: the socket stays open until the client lets go. */
async function stallingStream() {
  const server = await stallingServer({ 'content-type': 'text/event-stream' }, 'data: {"n":1}\n\n');
  cleanups.push(server.close);
  return server;
}

function kernelFor(url: string, idleTimeoutMs?: number) {
  const kernel = createKernel().use(
    definePlugin({
      name: 'feed',
      version: '1',
      defaults: { baseUrl: url, breaker: false, timeoutMs: 4_321 },
      manifest: {
        name: 'feed',
        version: '1',
        endpoints: [
          {
            id: 'ticks',
            method: 'GET',
            path: '/ticks',
            stream: { terminator: '[DONE]', ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }) },
          },
        ],
      },
    }),
  );
  const clock = new HandClock();
  kernel.register(Ports.Clock, clock);
  return { kernel, clock };
}

/** Let the iterator run to its next wait (no time passes: only queued jobs and I/O callbacks run). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('a stream whose server stalls after the headers', () => {
  it.each([
    [undefined, 4_321, /the call's timeoutMs \(4321 ms\), since the stream sets no idleTimeoutMs/],
    [250, 250, /its idleTimeoutMs \(250 ms\)/],
  ])(
    'idle bound %s: fails with StreamIdleTimeoutError naming the bound and releases the socket',
    async (idle, ms, named) => {
      const server = await stallingStream();
      const { kernel, clock } = kernelFor(server.url, idle);
      const iterator = kernel.stream('ticks', {})[Symbol.asyncIterator]();
      await expect(iterator.next()).resolves.toEqual({ done: false, value: { n: 1 } });
      const failure = iterator.next().then(
        () => undefined,
        (error: unknown) => error,
      );
      await settle();
      // One wait is armed between events, for the bound: nothing hangs for ever.
      expect(clock.deadlines.map((d) => d.ms)).toEqual([ms]);
      clock.deadlines[0]!.fire();
      const error = await failure;
      expect(error).toBeInstanceOf(StreamIdleTimeoutError);
      expect((error as StreamIdleTimeoutError).idleMs).toBe(ms);
      expect((error as Error).message).toMatch(named);
      await server.socketReleased;
      await kernel.close();
    },
  );

  it('a chunk that arrives in time re-arms the bound instead of failing', async () => {
    const server = await stallingStream();
    const push = server.more;
    const { kernel, clock } = kernelFor(server.url);
    const iterator = kernel.stream('ticks', {})[Symbol.asyncIterator]();
    await iterator.next();
    const second = iterator.next();
    second.catch(() => {}); // asserted below; handled here so a failure above cannot crash the worker
    await settle();
    expect(clock.deadlines).toHaveLength(1);
    push('data: {"n":2}\n\n');
    await expect(second).resolves.toEqual({ done: false, value: { n: 2 } });
    push('data: [DONE]\n\n');
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    expect(clock.deadlines).toHaveLength(0);
    await kernel.close();
  });
});
