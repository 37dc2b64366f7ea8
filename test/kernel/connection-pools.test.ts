import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { ManifestError } from '../../src/kernel/manifest/manifest-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import type { Transport } from '../../src/ports/transport.js';
import { Ports } from '../../src/ports/index.js';
import { useHoldingServer } from '../support/holding-server.js';

const holding = useHoldingServer();
afterEach(() => {
  for (const h of holding.held) h.release();
  holding.held.length = 0;
});

const input = Type.Object({ size: Type.Integer() });

function kernelWith(transport: Transport, pool: unknown = 'session') {
  const kernel = createKernel().use(
    definePlugin({
      name: 'jobs',
      version: '1',
      defaults: { baseUrl: holding.url, maxRetries: 0, breaker: false },
      manifest: {
        name: 'jobs',
        version: '1',
        endpoints: [
          { id: 'job', method: 'POST' as const, path: '/jobs', input },
          { id: 'beat', method: 'POST' as const, path: '/beat', input, pool: pool as string },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, transport);
  return kernel;
}

/**
 * Endpoints of another connection pool (the Python SDK's pool types: a heartbeat's SESSION pool, the
 * TELEMETRY pool) never wait for the default pool's connections: one connection per origin here, held.
 */
describe.each([
  ['undici (the kernel queues attempts per pool)', () => new UndiciTransport({ connections: 1 })],
  ['got (an agent per pool)', () => new GotTransport({ maxSockets: 1 })],
])('connection pools: %s', (_name, make) => {
  it("a call of another pool goes through while the default pool's one connection is held", async () => {
    const kernel = kernelWith(make());
    const first = kernel.call('job', { size: 1 });
    await holding.heldCount(1);
    const queued = kernel.call('job', { size: 2 });
    const beat = kernel.call('beat', { size: 3 });
    await holding.heldCount(2);
    // The beat reached the server past the queued job, which still waits for the held connection.
    expect(holding.held.map((h) => h.size)).toEqual([1, 3]);
    holding.held[1].release();
    await expect(beat).resolves.toEqual({ size: 3 });
    holding.held[0].release();
    await holding.heldCount(3);
    holding.held[2].release();
    await expect(Promise.all([first, queued])).resolves.toEqual([{ size: 1 }, { size: 2 }]);
    await kernel.close();
  });

  it('calls of one pool share its connections: a second beat waits for the first', async () => {
    const kernel = kernelWith(make());
    const beats = [kernel.call('beat', { size: 1 }), kernel.call('beat', { size: 2 })];
    const job = kernel.call('job', { size: 3 });
    await holding.heldCount(2);
    expect(holding.held.map((h) => h.size)).toEqual([1, 3]);
    holding.held[0].release();
    await holding.heldCount(3);
    expect(holding.held.map((h) => h.size)).toEqual([1, 3, 2]);
    for (const h of holding.held) h.release();
    await expect(Promise.all([...beats, job])).resolves.toEqual([{ size: 1 }, { size: 2 }, { size: 3 }]);
    await kernel.close();
  });
});

describe('the manifest key `pool`', () => {
  it('must be an identifier', () => {
    for (const bad of ['', '9lives', 'has space', 7]) {
      expect(() => kernelWith(new UndiciTransport(), bad)).toThrow(ManifestError);
      expect(() => kernelWith(new UndiciTransport(), bad)).toThrow(/pool.*non-empty identifier/);
    }
  });
});
