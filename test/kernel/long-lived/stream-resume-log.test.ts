import { afterEach, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { Ports } from '../../../src/ports/index.js';
import { feedKernel } from '../../support/feed-kernel.js';
import { RecordingClock } from '../../support/recording-clock.js';

// Found by an SDK author (round 31) reading `logLevel: 'debug'` while a job's log stream dropped and
// resumed: the only trace of it was a second request line carrying `last-event-id`, nothing said the
// connection dropped, why, or that this was reconnect 1 of 3. A call's retries say all that at info
// ("retrying X in 0.4 s after … (retry 1 of 4)"); a stream's reconnects now do too.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

it('a resumed stream logs each reconnect at info: why, the Last-Event-ID, the wait and the count', async () => {
  let connections = 0;
  const server = http.createServer((_req, res) => {
    connections++;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // The first connection drops after two events; the second finishes the stream.
    if (connections === 1) res.write('id: 7\ndata: {"n":1}\n\nid: 8\ndata: {"n":2}\n\n', () => res.destroy());
    else res.end('id: 9\ndata: {"n":3}\n\ndata: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const kernel = feedKernel(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
    terminator: '[DONE]',
    event: Type.Object({ n: Type.Integer() }),
    resume: true,
  });
  const logger = new CaptureLogger();
  kernel.register(Ports.Clock, new RecordingClock());
  kernel.register(Ports.Logger, logger);
  cleanups.push(() => kernel.close());

  const got: number[] = [];
  for await (const tick of kernel.stream('ticks')) got.push(tick.n);
  expect(got).toEqual([1, 2, 3]);
  const lines = logger.at('info').filter((r) => r.message.includes('ticks stream'));
  expect(lines).toHaveLength(1);
  expect(lines[0]!.message).toMatch(
    /^resuming the ticks stream at once after .*(ECONNRESET|terminated|socket|closed|ended|without).* \(reconnect 1 of 3, Last-Event-ID 8\)$/i,
  );
  expect(lines[0]!.fields).toMatchObject({ endpoint: 'ticks', reconnect: 1, delay_ms: 0, events: 2 });
});
