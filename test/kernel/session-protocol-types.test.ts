import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../src/defaults/kernel.js';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { defineManifest } from '../../src/kernel/manifest/types.js';
import type { SessionProtocolFor } from '../../src/kernel/manifest/session-protocols.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import type { SessionProtocol } from '../../src/ports/sessions.js';

// A session protocol written in `definePlugin`'s `sessionProtocols` reads the create endpoint's response
// type in `sessionId` and `onCreated`, and its `heartbeatInput` returns the heartbeat endpoint's input
// type, without casts. `npm run typecheck` compiles this file: the uncast reads (`created.session_id`,
// `created.warning`) did not compile before (both were `unknown`), nor did the misspelt heartbeat input
// fail; the other `@ts-expect-error` lines pin bodies that stay `unknown` (an unused one is an error).

const manifest = defineManifest({
  name: 'sessions',
  version: '1',
  endpoints: [
    {
      id: 'create_session',
      method: 'POST',
      path: '/sessions',
      input: Type.Object({ tag: Type.String() }),
      response: Type.Object({ session_id: Type.String(), warning: Type.Optional(Type.String()) }),
    },
    {
      id: 'heartbeat',
      method: 'POST',
      path: '/heartbeat',
      input: Type.Object({ session_id: Type.String() }),
    },
    { id: 'create_raw', method: 'POST', path: '/raw' },
  ],
});

const timing = { intervalMs: 1_000, heartbeatTimeoutMs: 500 };

/** Declared on its own: bodies `unknown`, taken as before. */
const raw: SessionProtocol = {
  createEndpoint: 'create_raw',
  sessionId: (created) => (created as { id: string }).id,
  heartbeatEndpoint: 'heartbeat',
  heartbeatInput: (session_id) => ({ session_id }),
  ...timing,
};

/** Declared on its own, typed from the manifest by `SessionProtocolFor`. */
const onItsOwn: SessionProtocolFor<typeof manifest, 'create_session', 'heartbeat'> = {
  createEndpoint: 'create_session',
  sessionId: (created) => created.session_id,
  heartbeatEndpoint: 'heartbeat',
  heartbeatInput: (session_id) => ({ session_id }),
  ...timing,
};

const warnings: string[] = [];
const plugin = definePlugin({
  name: 'sessions',
  version: '1',
  manifest,
  defaults: { baseUrl: 'http://sessions.test', maxRetries: 0, breaker: false },
  sessionProtocols: {
    main: {
      createEndpoint: 'create_session',
      sessionId: (created) => created.session_id,
      onCreated(created) {
        if (created.warning) warnings.push(created.warning);
        // @ts-expect-error the create response has no `expires`
        void created.expires;
      },
      heartbeatEndpoint: 'heartbeat',
      heartbeatInput: (session_id) => ({ session_id }),
      ...timing,
    },
    raw,
    onItsOwn,
    untyped: {
      createEndpoint: 'create_raw',
      // @ts-expect-error create_raw declares no response schema: the body is unknown
      sessionId: (created) => created.id,
      heartbeatEndpoint: 'heartbeat',
      heartbeatInput: (session_id) => ({ session_id }),
      ...timing,
    },
    misspelt: {
      createEndpoint: 'create_session',
      sessionId: (created) => created.session_id,
      heartbeatEndpoint: 'heartbeat',
      // @ts-expect-error heartbeat's input is `{ session_id }`: heartbeatInput returns that type
      heartbeatInput: (id) => ({ sessionId: id }),
      ...timing,
    },
  },
});

describe('session protocols typed from the manifest', () => {
  it('reads the typed create body and sends the typed heartbeat input', async () => {
    const transport = new MemoryTransport(async (req) => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: req.url.endsWith('/sessions') ? '{"session_id":"s1","warning":"slow"}' : '{}',
    }));
    const clock = new FakeClock();
    const kernel = createKernel({ logLevel: 'off' }).use(plugin);
    kernel.register(Ports.Transport, transport);
    kernel.register(Ports.Clock, clock);
    // @ts-expect-error a typed protocol's session opens with the create endpoint's input
    await expect(kernel.sessions.open(onItsOwn, { tag: 1 })).rejects.toThrow(/tag/);
    const session = await kernel.sessions.open(onItsOwn, { tag: 'x' });
    expect(session.id).toBe('s1');
    // The protocol as the plugin holds it keeps its types and needs no `!` (found by an SDK author in
    // round 24: it was an optional `SessionProtocol<any>`, so any input compiled).
    // @ts-expect-error main opens with create_session's input
    await expect(kernel.sessions.open(plugin.sessionProtocols.main, { tag: 1 })).rejects.toThrow(/tag/);
    await kernel.sessions.open(plugin.sessionProtocols.main, { tag: 'y' });
    expect(warnings).toEqual(['slow']);
    await clock.advance(1_000);
    const beats = transport.requests.filter((r) => r.url.endsWith('/heartbeat'));
    // One heartbeat per open session (both were answered `s1`).
    expect(beats.map((r) => JSON.parse(String(r.body)))).toEqual([
      { session_id: 's1' },
      { session_id: 's1' },
    ]);
    await kernel.close();
  });
});
