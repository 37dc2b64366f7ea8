import { afterEach, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { APIConnectionError } from '../../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { Ports } from '../../../src/ports/index.js';
import type { Transport, TransportRequest, TransportResponse } from '../../../src/ports/transport.js';
import { RecordingClock } from '../../support/recording-clock.js';
import { scriptedServer } from '../../support/scripted-server.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/**
 * An author's transport that allows one chunk per streamed response (a size cap): then it ends the body
 * with a connection error marked never retryable, since another attempt would get the same answer.
 */
class CappedTransport implements Transport {
  readonly name = 'capped';
  readonly inner = new UndiciTransport();

  async send(request: TransportRequest): Promise<TransportResponse> {
    const response = await this.inner.send(request);
    const origin = response.body;
    return {
      status: response.status,
      headers: response.headers,
      cancel: () => response.cancel(),
      body: {
        async *[Symbol.asyncIterator]() {
          const iterator = origin[Symbol.asyncIterator]();
          const first = await iterator.next();
          if (!first.done) yield first.value;
          throw new APIConnectionError('Response over the cap', { retryable: false });
        },
      },
    };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

it('a resumable stream ends at once on a connection error marked retryable: false (no reconnect)', async () => {
  const server = await scriptedServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // One event with an id to resume from, and the stream stays open.
    res.write('id: 1\ndata: {"n":1}\n\n');
  });
  cleanups.push(server.close);
  const kernel = createKernel().use(
    definePlugin({
      name: 'feed',
      version: '1',
      defaults: { baseUrl: server.url, breaker: false },
      manifest: {
        name: 'feed',
        version: '1',
        endpoints: [
          {
            id: 'ticks',
            method: 'GET',
            path: '/ticks',
            stream: { terminator: '[DONE]', event: Type.Object({ n: Type.Integer() }), resume: true },
          },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, new CappedTransport());
  kernel.register(Ports.Clock, new RecordingClock());
  cleanups.push(() => kernel.close());
  const got: number[] = [];
  const error = await (async () => {
    for await (const t of kernel.stream('ticks', undefined as never)) got.push(t.n);
  })().catch((e: unknown) => e);
  expect(got).toEqual([1]);
  expect(error).toBeInstanceOf(APIConnectionError);
  expect((error as APIConnectionError).message).toBe('Response over the cap');
  // One request: the stream did not reconnect (with Last-Event-ID) to get the same refusal three times.
  expect(server.seen).toHaveLength(1);
});
