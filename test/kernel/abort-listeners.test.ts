import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { Ports } from '../../src/ports/index.js';
import type { Transport } from '../../src/ports/transport.js';
import { json, scriptedServer } from '../support/scripted-server.js';
import { thingsPlugin } from './fixtures/things-plugin.js';

/**
 * One AbortSignal reused for many calls (a whole job under one Ctrl-C controller) must not collect
 * listeners: each call's listeners go when it settles, and however many calls are in flight together
 * the kernel holds one listener on the signal, so Node never warns `MaxListenersExceededWarning`.
 */

const CALLS = 50;
let server: Awaited<ReturnType<typeof scriptedServer>>;

beforeAll(async () => {
  // Every third call answers 503 to its first attempt: a retry, with a backoff sleep on the same signal.
  server = await scriptedServer((req, res) => {
    const n = req.method === 'GET' ? Number(req.path.split('/t').at(-1)) : Number(req.body.size);
    const firstAttempt = (req.headers['x-things-retry-count'] ?? '0') === '0';
    if (n % 3 === 0 && firstAttempt) return json(res, 503, { message: 'busy' });
    if (req.method === 'GET') return json(res, 200, { id: `t${n}`, name: 'x', size: n });
    return json(res, 201, { id: 't1', name: req.body.name, size: req.body.size });
  });
});
afterAll(() => server.close());

const transports: [string, () => Transport][] = [
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
];

describe.each(transports)('one AbortSignal for %s calls', (_name, transport) => {
  function kernel() {
    const k = createKernel({ maxRetries: 3 }).use(
      thingsPlugin({
        defaults: { baseUrl: server.url },
        // Every call queues on one semaphore: waiters hold a listener while they wait.
        concurrency: { things: { maxConcurrent: 5 } },
        retryPolicies: { default: { initialDelayMs: 1, maxDelayMs: 2, jitter: 0 } },
      }),
    );
    k.register(Ports.Transport, transport());
    return k;
  }

  it(`${CALLS} calls one after another, retries included, leave no listener`, async () => {
    const k = kernel();
    const { signal } = new AbortController();
    try {
      for (let i = 0; i < CALLS; i++) {
        await k.call('create_thing', { name: `n${i}`, size: i }, { signal, timeoutMs: 5_000 });
      }
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    } finally {
      await k.close();
    }
  });

  it(`${CALLS} calls at once hold at most one listener, and none once settled`, async () => {
    const k = kernel();
    const { signal } = new AbortController();
    try {
      let peak = 0;
      const calls = Array.from({ length: CALLS }, (_, i) =>
        k.call('get_thing', { id: `t${i}` }, { signal }).finally(() => {
          peak = Math.max(peak, getEventListeners(signal, 'abort').length);
        }),
      );
      peak = Math.max(peak, getEventListeners(signal, 'abort').length);
      await Promise.all(calls);
      // Node warns once a signal has more than getMaxListeners(signal) (10) listeners.
      expect(peak).toBe(1);
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    } finally {
      await k.close();
    }
  });

  it('aborting the shared signal still ends every call in flight, with a typed error', async () => {
    const k = kernel();
    const controller = new AbortController();
    try {
      const calls = Array.from({ length: 20 }, (_, i) =>
        k.call('get_thing', { id: `t${i}` }, { signal: controller.signal }).then(
          () => 'resolved',
          (error: Error) => error.name,
        ),
      );
      controller.abort();
      const outcomes = await Promise.all(calls);
      expect(outcomes).toEqual(Array(20).fill('APIUserAbortError'));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      await k.close();
    }
  });
});

it('a plain Node process making 50 calls at once on one signal prints no MaxListenersExceededWarning', async () => {
  const loader = fileURLToPath(new URL('../support/ts-loader.mjs', import.meta.url));
  const script = fileURLToPath(new URL('./fixtures/shared-signal-run.ts', import.meta.url));
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', loader, script], {
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000,
  });
  expect(stdout).toBe('listeners left: 0\n');
  expect(stderr).not.toMatch(/MaxListenersExceededWarning/);
}, 60_000);
