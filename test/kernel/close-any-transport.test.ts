import { afterEach, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { ClientClosedError } from '../../src/kernel/errors/api-errors.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import type { Transport, TransportRequest, TransportResponse } from '../../src/ports/transport.js';

// Found by an SDK author (round 24): "nothing is sent after close()" and "close() ends calls on the wire"
// held only because the built-in HTTP adapters cut their sockets. Through a transport that has no
// close() to cut with (the exported MemoryTransport an author tests with, or an author's own adapter
// over fetch), a call admitted just before close() was sent after it and succeeded, and a call on the
// wire kept the caller waiting for the server (its timeout) after close() had returned.

const plugin = definePlugin({
  name: 'p',
  version: '1',
  defaults: { baseUrl: 'http://p.test', breaker: false },
  manifest: {
    name: 'p',
    version: '1',
    endpoints: [{ id: 'ping', method: 'POST', path: '/ping', input: Type.Object({ n: Type.Integer() }) }],
  },
});

/** An author's adapter over an exchange it cannot cut: no close(), and it settles when the server does. */
class NoCloseTransport implements Transport {
  readonly name = 'no-close';
  readonly requests: TransportRequest[] = [];
  readonly answers: Array<(response: TransportResponse) => void> = [];
  send(request: TransportRequest): Promise<TransportResponse> {
    this.requests.push(request);
    return new Promise((resolve) => this.answers.push(resolve));
  }
}

const kernels: Array<{ close(): Promise<void> }> = [];
const servers: NoCloseTransport[] = [];
afterEach(async () => {
  await Promise.all(kernels.splice(0).map((k) => k.close()));
  // The server answers at last, so nothing the exchange holds (its deadline timer) outlives the test.
  for (const answer of servers.splice(0).flatMap((t) => t.answers))
    answer({ status: 204, headers: {}, body: (async function* () {})(), cancel: () => {} });
});

function kernelWith(transport: Transport) {
  const kernel = createKernel({ logLevel: 'off' }).use(plugin);
  kernel.register(Ports.Transport, transport);
  kernels.push(kernel);
  return kernel;
}

it('a call whose request is ready only after close() is not sent, whatever the transport', async () => {
  const transport = new MemoryTransport(() => ({ status: 200, body: {} }));
  // An author's auth scheme that fetches its token: the calls wait in it while close() comes.
  let tokenReady = (): void => {};
  const token = new Promise<void>((resolve) => (tokenReady = resolve));
  const kernel = createKernel({ logLevel: 'off' }).use(
    definePlugin({
      ...plugin,
      auth: {
        default: {
          name: 'fetched-token',
          secretHeaders: ['authorization'],
          identity: () => 'fetched-token',
          async apply(headers) {
            await token;
            headers.authorization = 'Bearer t0ken';
          },
        },
      },
    }),
  );
  kernel.register(Ports.Transport, transport);
  kernels.push(kernel);
  const calls = [1, 2, 3].map((n) => kernel.call('ping', { n }).catch((e: unknown) => e));
  const closing = kernel.close();
  tokenReady();
  await closing;
  for (const outcome of await Promise.all(calls)) expect(outcome).toBeInstanceOf(ClientClosedError);
  expect(transport.requests).toHaveLength(0);
});

it('close() ends a call on the wire through a transport that cannot cut it, without waiting for it', async () => {
  const transport = new NoCloseTransport();
  servers.push(transport);
  const kernel = kernelWith(transport);
  const call = kernel.call('ping', { n: 1 }, { timeoutMs: 3_600_000 }).catch((e: unknown) => e);
  while (transport.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
  await kernel.close();
  // The server never answers: the call must have ended with the close, not with its hour-long timeout.
  const outcome = await Promise.race([
    call,
    new Promise((resolve) => setImmediate(() => resolve('pending'))),
  ]);
  expect(outcome).toBeInstanceOf(ClientClosedError);
});
