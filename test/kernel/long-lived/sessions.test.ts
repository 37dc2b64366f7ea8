import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { SystemClock } from '../../../src/adapters/clock/system-clock.js';
import { MemoryTransport } from '../../../src/adapters/transport/memory-transport.js';
import { Ports } from '../../../src/ports/index.js';
import { NotFoundError } from '../../../src/kernel/errors/api-errors.js';
import type { TransportRequest } from '../../../src/ports/transport.js';
import { beatingSessionProtocol, sessionEndpoints } from '../../support/session-plugin.js';

const sessionProtocol = beatingSessionProtocol;

function setup(
  answer: (
    req: TransportRequest,
  ) => { status: number; body?: string } | Promise<{ status: number; body?: string }>,
) {
  const transport = new MemoryTransport(async (req) => {
    const a = await answer(req);
    return { status: a.status, headers: { 'content-type': 'application/json' }, body: a.body ?? '{}' };
  });
  const plugin = definePlugin({
    name: 's',
    version: '1',
    defaults: { baseUrl: 'http://s.test', breaker: false },
    sessionProtocols: { main: sessionProtocol },
    manifest: {
      name: 's',
      version: '1',
      endpoints: [...sessionEndpoints(Type.Object({ tag: Type.String() }))],
    },
  });
  const kernel = createKernel({ logLevel: 'off' }).use(plugin);
  kernel.register(Ports.Transport, transport);
  kernel.register(Ports.Clock, new SystemClock());
  return { kernel, transport };
}

const beats = (t: MemoryTransport) => t.requests.filter((r) => r.url.endsWith('/beat'));

afterEach(() => {
  jest.useRealTimers();
});

/** Let the pipeline's promise chain run after a fake-timer tick. */
async function flush() {
  for (let i = 0; i < 30; i++) await Promise.resolve();
}

describe('sessions', () => {
  it('heartbeats every interval through the pipeline with no retries', async () => {
    jest.useFakeTimers();
    const { kernel, transport } = setup((req) =>
      req.url.endsWith('/open') ? { status: 200, body: '{"id":"s1"}' } : { status: 500 },
    );
    const session = await kernel.sessions.open(sessionProtocol, { tag: 'x' });
    expect(session.id).toBe('s1');
    expect(beats(transport)).toHaveLength(0);
    for (let i = 0; i < 3; i++) {
      jest.advanceTimersByTime(10_000);
      await flush();
    }
    expect(beats(transport)).toHaveLength(3);
    expect(beats(transport).every((r) => r.timeoutMs === 5_000)).toBe(true);
    await kernel.close();
  });

  it('warns once after heartbeats fail for the whole window, and keeps the session', async () => {
    jest.useFakeTimers();
    const { kernel } = setup((req) =>
      req.url.endsWith('/open') ? { status: 200, body: '{"id":"s2"}' } : { status: 503 },
    );
    const warnings: unknown[] = [];
    kernel.events.on('session:heartbeat-failed', (e) => warnings.push(e));
    await kernel.sessions.open(sessionProtocol, { tag: 'x' });
    for (let i = 0; i < 14; i++) {
      jest.advanceTimersByTime(10_000);
      await flush();
    }
    expect(warnings).toEqual([{ sessionId: 's2', failingForMs: 120_000 }]);
    expect(kernel.sessions.sessions.map((s) => s.id)).toEqual(['s2']);
    await kernel.close();
  });

  // Round 32 (a web service left running after its server restarted): the session was gone for good
  // (404 on every beat), yet the kernel beat every 10 s for the life of the process.
  it('stops beating, with one warning, once the protocol says a beat failed because the session is gone', async () => {
    jest.useFakeTimers();
    const { kernel, transport } = setup((req) =>
      req.url.endsWith('/open') ? { status: 200, body: '{"id":"s5"}' } : { status: 404 },
    );
    const warned: unknown[] = [];
    (kernel.getServices().logger as { warn: (m: string, f?: unknown) => void }).warn = (message, fields) =>
      warned.push({ message, fields });
    const gone = { ...sessionProtocol, isGone: (error: unknown) => error instanceof NotFoundError };
    await kernel.sessions.open(gone, { tag: 'x' });
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(10_000);
      await flush();
    }
    expect(beats(transport)).toHaveLength(1);
    expect(kernel.sessions.sessions).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
    expect(warned).toEqual([
      {
        message: 'the server no longer knows this session: its heartbeats stopped',
        fields: { sessionId: 's5', error: expect.stringMatching(/^404/) },
      },
    ]);
    await kernel.close();
  });

  it('a wall clock stepped forward an hour does not make two failed beats an hour of failing', async () => {
    jest.useFakeTimers();
    const { kernel } = setup((req) =>
      req.url.endsWith('/open') ? { status: 200, body: '{"id":"s4"}' } : { status: 503 },
    );
    const warnings: unknown[] = [];
    kernel.events.on('session:heartbeat-failed', (e) => warnings.push(e));
    await kernel.sessions.open(sessionProtocol, { tag: 'x' });
    jest.advanceTimersByTime(10_000);
    await flush();
    jest.setSystemTime(Date.now() + 3_600_000); // Date.now() only: SystemClock.monotonic stays
    for (let i = 0; i < 2; i++) {
      jest.advanceTimersByTime(10_000);
      await flush();
    }
    expect(warnings).toEqual([]); // failing for 20 s, not an hour
    await kernel.close();
  });

  it('never overlaps heartbeats, and stop() waits for the one in flight', async () => {
    jest.useFakeTimers();
    let finish!: () => void;
    const { kernel, transport } = setup((req) =>
      req.url.endsWith('/open')
        ? { status: 200, body: '{"id":"s3"}' }
        : new Promise((r) => (finish = () => r({ status: 200 }))),
    );
    // A heartbeat slower than the interval (but inside its own timeout) must not be overlapped.
    const slowBeats = { ...sessionProtocol, heartbeatTimeoutMs: 60_000 };
    const session = await kernel.sessions.open(slowBeats, { tag: 'x' });
    jest.advanceTimersByTime(10_000);
    await flush();
    jest.advanceTimersByTime(10_000);
    await flush();
    expect(beats(transport)).toHaveLength(1);
    let stopped = false;
    const stopping = session.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
    jest.advanceTimersByTime(50_000);
    await flush();
    expect(beats(transport)).toHaveLength(1);
    await kernel.close();
  });

  // Round 35 (a script that never called close(), its server hung: accepting, never answering): each
  // beat ran out its 10 s timeout just as the 10 s tick came, the next beat started at once, and a beat
  // was always in flight, holding the process open for as long as the server stayed hung.
  it('after a beat that outlasted the interval, leaves one tick out before the next beat', async () => {
    jest.useFakeTimers();
    const { kernel, transport } = setup((req) =>
      req.url.endsWith('/open') ? { status: 200, body: '{"id":"s6"}' } : new Promise(() => {}),
    );
    const hungBeats = { ...sessionProtocol, heartbeatTimeoutMs: 15_000 };
    await kernel.sessions.open(hungBeats, { tag: 'x' });
    const beatsAt: number[] = [];
    for (let t = 10_000; t <= 60_000; t += 10_000) {
      jest.advanceTimersByTime(t === 10_000 ? 10_000 : 5_000);
      await flush();
      if (t > 10_000) {
        jest.advanceTimersByTime(5_000);
        await flush();
      }
      if (beats(transport).length > beatsAt.length) beatsAt.push(t);
    }
    // Beats at 10 s (failing at 25 s) and 40 s (failing at 55 s): a whole interval with none in flight.
    expect(beatsAt).toEqual([10_000, 40_000]);
    await kernel.close();
  });

  it('holds several sessions per kernel and stops them all', async () => {
    jest.useFakeTimers();
    let n = 0;
    const { kernel } = setup((req) =>
      req.url.endsWith('/open') ? { status: 200, body: `{"id":"s${++n}"}` } : { status: 200 },
    );
    await kernel.sessions.open(sessionProtocol, { tag: 'a' });
    await kernel.sessions.open(sessionProtocol, { tag: 'b' });
    expect(kernel.sessions.sessions.map((s) => s.id)).toEqual(['s1', 's2']);
    await kernel.sessions.stopAll();
    expect(kernel.sessions.sessions).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
    await kernel.close();
  });
});
