import { expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { MemoryTransport } from '../../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { ClientClosedError } from '../../../src/kernel/errors/api-errors.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { Ports } from '../../../src/ports/index.js';

// Found by an SDK author (round 24): `kernel.close()` landing while `sessions.open` had its create
// response but had not yet started the session's heartbeats. close() stopped the sessions it knew of,
// then open() resolved with a session whose heartbeat timer ran for the process's life (each beat
// refused by the closed kernel), still listed in `kernel.sessions.sessions`.

const plugin = definePlugin({
  name: 's',
  version: '1',
  defaults: { baseUrl: 'http://s.test', breaker: false },
  sessionProtocols: {
    main: {
      createEndpoint: 'open',
      sessionId: (created: { id: string }) => created.id,
      heartbeatEndpoint: 'beat',
      heartbeatInput: (id: string) => ({ id }),
      intervalMs: 1_000,
      heartbeatTimeoutMs: 500,
    },
  },
  manifest: {
    name: 's',
    version: '1',
    endpoints: [
      {
        id: 'open',
        method: 'POST',
        path: '/open',
        input: Type.Object({ tag: Type.String() }),
        response: Type.Object({ id: Type.String() }),
      },
      { id: 'beat', method: 'POST', path: '/beat', input: Type.Object({ id: Type.String() }) },
    ],
  },
});

it('close() at any point of sessions.open: open rejects with ClientClosedError or its session is stopped', async () => {
  const protocol = plugin.sessionProtocols!.main!;
  const outcomes = new Set<string>();
  // Every microtask boundary of open(): its create call runs on promises only (a memory transport).
  for (let turns = 0; turns < 120; turns++) {
    const clock = new FakeClock();
    const transport = new MemoryTransport(() => ({ status: 200, body: { id: 's1' } }));
    const kernel = createKernel({ logLevel: 'off' }).use(plugin);
    kernel.register(Ports.Transport, transport);
    kernel.register(Ports.Clock, clock);
    const opening = kernel.sessions.open(protocol, { tag: 't' }).then(
      () => 'opened',
      (error: unknown) => (error instanceof ClientClosedError ? 'closed' : String(error)),
    );
    for (let i = 0; i < turns; i++) await Promise.resolve();
    await kernel.close();
    const outcome = await opening;
    outcomes.add(outcome);
    expect([turns, outcome, kernel.sessions.sessions.length, clock.pending]).toEqual([turns, outcome, 0, 0]);
  }
  // Both sides of the race were reached.
  expect([...outcomes].sort()).toEqual(['closed', 'opened']);
});
