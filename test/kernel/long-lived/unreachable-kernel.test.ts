import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { MemoryTransport } from '../../../src/adapters/transport/memory-transport.js';
import { Ports } from '../../../src/ports/index.js';
import { collected } from '../../support/collected.js';
import { beatingSessionProtocol, sessionEndpoints } from '../../support/session-plugin.js';

const sessionProtocol = beatingSessionProtocol;

/** A kernel with an open, beating session; `hold` answers `/slow` only once it is resolved. */
async function beatingKernel(clock: FakeClock, hold: Promise<void>) {
  const transport = new MemoryTransport(async (req) => {
    if (req.url.endsWith('/slow')) await hold;
    const body = req.url.endsWith('/open') ? '{"id":"s1"}' : '{}';
    return { status: 200, headers: { 'content-type': 'application/json' }, body };
  });
  const plugin = definePlugin({
    name: 's',
    version: '1',
    defaults: { baseUrl: 'http://s.test', breaker: false },
    sessionProtocols: { main: sessionProtocol },
    manifest: {
      name: 's',
      version: '1',
      endpoints: [
        ...sessionEndpoints(Type.Object({})),
        { id: 'slow', method: 'POST', path: '/slow', input: Type.Object({}) },
      ],
    },
  });
  const kernel = createKernel({ logLevel: 'off' }).use(plugin);
  kernel.register(Ports.Transport, transport);
  kernel.register(Ports.Clock, clock);
  await kernel.sessions.open(sessionProtocol, {});
  return { kernel, transport };
}

const beats = (t: MemoryTransport) => t.requests.filter((r) => r.url.endsWith('/beat')).length;

/**
 * A web app that makes a client per request and forgets to close it: once nothing can reach the kernel,
 * its session's heartbeat must not keep it (and itself) alive for the process's life.
 */
describe('a kernel nobody can reach any more', () => {
  it('is collected with its session, and the heartbeat stops', async () => {
    const clock = new FakeClock();
    const made = await beatingKernel(clock, Promise.resolve());
    const { transport } = made;
    await clock.advance(10_000);
    expect(beats(transport)).toBe(1);
    const ref = new WeakRef(made.kernel);
    (made as { kernel?: unknown }).kernel = undefined; // the test's own reference goes too
    expect(await collected(ref)).toBe(true);
    await clock.advance(60_000);
    expect(beats(transport)).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('stays alive, beating, while a call of it is in flight, and the call completes', async () => {
    const clock = new FakeClock();
    let answer!: () => void;
    const hold = new Promise<void>((resolve) => (answer = resolve));
    const made = await beatingKernel(clock, hold);
    const { transport } = made;
    const call = made.kernel.call('slow', {});
    const ref = new WeakRef(made.kernel);
    (made as { kernel?: unknown }).kernel = undefined;
    expect(await collected(ref, 3)).toBe(false);
    await clock.advance(30_000);
    expect(beats(transport)).toBe(3);
    answer();
    await expect(call).resolves.toEqual({});
    await ref.deref()?.close();
  });
});
