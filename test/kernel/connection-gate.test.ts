import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { Agent, type Dispatcher } from 'undici';
import { TokenProviderAuth } from '../../src/adapters/auth/token-provider.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { APIUserAbortError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { useHoldingServer } from '../support/holding-server.js';

const holding = useHoldingServer();
afterEach(() => {
  holding.held.length = 0;
});

/** A kernel whose every attempt fetches a token once its request is built (counted by `built()`). */
function kernelWith(transport: UndiciTransport, failToken?: (n: number) => boolean) {
  let tokens = 0;
  const kernel = createKernel().use(
    definePlugin({
      name: 'jobs',
      version: '1',
      defaults: { baseUrl: holding.url, maxRetries: 0, breaker: false },
      auth: {
        default: new TokenProviderAuth(() => {
          const n = ++tokens;
          if (failToken?.(n)) throw new Error(`no token ${n}`);
          return `token-${n}`;
        }),
      },
      manifest: {
        name: 'jobs',
        version: '1',
        endpoints: [
          { id: 'job', method: 'POST' as const, path: '/jobs', input: Type.Object({ size: Type.Integer() }) },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, transport);
  return { kernel, built: () => tokens };
}

describe("the transport's connections per origin", () => {
  it('hold further attempts before their request is built, and admit them in order as exchanges end', async () => {
    const { kernel, built } = kernelWith(new UndiciTransport({ connections: 2 }));
    const calls = [1, 2, 3, 4, 5].map((size) => kernel.call('job', { size }));
    await holding.heldCount(2);
    // Three calls wait for a connection: none of them has built its request (no token fetched).
    expect(holding.held.map((h) => h.size)).toEqual([1, 2]);
    expect(built()).toBe(2);
    holding.held[0].release();
    await holding.heldCount(3);
    expect(holding.held.map((h) => h.size)).toEqual([1, 2, 3]);
    expect(built()).toBe(3);
    holding.held[1].release();
    holding.held[2].release();
    await holding.heldCount(5);
    expect(holding.held.map((h) => h.size)).toEqual([1, 2, 3, 4, 5]);
    for (const h of holding.held.slice(3)) h.release();
    await expect(Promise.all(calls)).resolves.toEqual([1, 2, 3, 4, 5].map((size) => ({ size })));
    await kernel.close();
  });

  it('let a call waiting for one be aborted: it fails as aborted and is never sent', async () => {
    const { kernel, built } = kernelWith(new UndiciTransport({ connections: 1 }));
    const controller = new AbortController();
    const first = kernel.call('job', { size: 1 });
    const aborted = kernel.call('job', { size: 2 }, { signal: controller.signal });
    const third = kernel.call('job', { size: 3 });
    await holding.heldCount(1);
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(APIUserAbortError);
    holding.held[0].release();
    await holding.heldCount(2);
    holding.held[1].release();
    await expect(Promise.all([first, third])).resolves.toEqual([{ size: 1 }, { size: 3 }]);
    expect(holding.held.map((h) => h.size)).toEqual([1, 3]);
    expect(built()).toBe(2);
    await kernel.close();
  });

  it('stay taken by an aborted exchange until undici lets go of it, so none pile up inside undici', async () => {
    // Undici still holds an aborted exchange for a while (it tears the socket down, and a request it
    // had queued waits for a connection first). Freeing the connection when the call failed let
    // thousands of cancelled samples pile up in undici's queue, and later calls wait behind them.
    const undiciLetsGo = deferred();
    const dispatcher = new Agent({ connections: 1 }).compose(errorsReportedAfter(undiciLetsGo.promise));
    const { kernel, built } = kernelWith(new UndiciTransport({ dispatcher, connections: 1 }));
    const controller = new AbortController();
    const abandoned = kernel.call('job', { size: 1 }, { signal: controller.signal });
    await holding.heldCount(1);
    controller.abort();
    await expect(abandoned).rejects.toBeInstanceOf(APIUserAbortError);
    const next = kernel.call('job', { size: 2 });
    // Give the next call every chance to be sent early: it must wait for undici to let go.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(built()).toBe(1);
    undiciLetsGo.resolve();
    await holding.heldCount(2);
    holding.held[1].release();
    await expect(next).resolves.toEqual({ size: 2 });
    await kernel.close();
  });

  it('are freed by an attempt that took one at once and failed before it was sent, in order for the next', async () => {
    // A failure after the gate (here the token provider's) must free the connection as a success does,
    // or every later call to the origin waits for ever.
    const { kernel, built } = kernelWith(new UndiciTransport({ connections: 1 }), (n) => n <= 2);
    await expect(kernel.call('job', { size: 1 })).rejects.toThrow('no token 1');
    const [failing, sent] = [kernel.call('job', { size: 2 }), kernel.call('job', { size: 3 })];
    await expect(failing).rejects.toThrow('no token 2');
    await holding.heldCount(1);
    expect(holding.held.map((h) => h.size)).toEqual([3]);
    holding.held[0].release();
    await expect(sent).resolves.toEqual({ size: 3 });
    expect(built()).toBe(3);
    await kernel.close();
  });

  it('never send a call that waited for one while the client closed: it fails as closed', async () => {
    const { kernel, built } = kernelWith(new UndiciTransport({ connections: 1 }));
    const first = kernel.call('job', { size: 1 });
    const waiting = expect(kernel.call('job', { size: 2 })).rejects.toThrow('the client was closed');
    await holding.heldCount(1);
    const closed = kernel.close();
    holding.held[0].release();
    // Closing may end the call in flight too; what matters here is the one still waiting for a connection.
    await Promise.allSettled([first]);
    await waiting;
    await closed;
    expect(holding.held.map((h) => h.size)).toEqual([1]);
    expect(built()).toBe(1);
  });

  it('are counted for a dispatcher passed in only when its connections per origin are given', async () => {
    const agent = new Agent({ connections: 1 });
    expect(new UndiciTransport({ dispatcher: agent, connections: 1 }).connectionsPerOrigin).toBe(1);
    expect(new UndiciTransport({ dispatcher: agent }).connectionsPerOrigin).toBeUndefined();
    expect(new UndiciTransport().connectionsPerOrigin).toBe(256);
    expect(new UndiciTransport({ connections: 8 }).connectionsPerOrigin).toBe(8);
    await agent.close();
  });
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * An undici interceptor that tells the caller of an exchange's failure only once `later` settles: undici
 * itself has moved on (its socket torn down), but whoever waits for the exchange still waits.
 */
function errorsReportedAfter(later: Promise<void>): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) =>
    dispatch(
      options,
      new Proxy(handler, {
        get(target, key) {
          const value = Reflect.get(target, key) as unknown;
          if (typeof value !== 'function') return value;
          const method = value as (...args: unknown[]) => unknown;
          // Called on the handler itself: undici's handlers keep their state in private fields.
          if (key !== 'onResponseError') return method.bind(target);
          return (...args: unknown[]) => void later.then(() => method.apply(target, args));
        },
      }),
    );
}
