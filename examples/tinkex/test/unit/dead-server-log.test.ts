import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { CaptureLogger, FakeClock, Ports } from 'pristine-kernel';
import { ServiceClient } from '../../src/index.js';

/** A loopback port that was just freed: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a dead server, as a Tinkex user at TINKER_LOG=info sees it', () => {
  it('says why it is waiting before the first backoff, then fails with a typed error', async () => {
    const port = await closedPort();
    const clock = new FakeClock();
    const start = clock.now();
    const logger = new CaptureLogger({ level: 'info' });
    const service = new ServiceClient({
      api_key: 'tml-dead-server-test',
      base_url: `http://127.0.0.1:${port}`,
      telemetry: false,
      max_retries: 2,
      env: {},
      configureKernel: (kernel) => {
        kernel.register(Ports.Clock, clock);
        kernel.register(Ports.Logger, logger);
      },
    });
    try {
      const call = service.createRestClient().listTrainingRuns();
      const outcome = call.then(
        () => 'resolved',
        (error: Error) => error,
      );
      // The refused connection is real I/O; once the retry's backoff is scheduled, no clock time has
      // passed, and the line must already be there: the user learns why before waiting at all.
      while (clock.pending === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(clock.now()).toBe(start);
      // The first request of a client is the 0.25 handshake (`client/config`), retried like any call.
      expect(logger.at('info').map((r) => r.message)).toEqual([
        expect.stringMatching(
          /^retrying get_client_config in \d+\.\d s after .*ECONNREFUSED.* \(retry 1 of 2\)$/,
        ),
      ]);
      while ((await Promise.race([outcome, Promise.resolve('pending')])) === 'pending') {
        await clock.advanceToNext();
      }
      const error = (await outcome) as Error;
      expect(error.name).toBe('APIConnectionError');
      expect(logger.at('info')).toHaveLength(2);
    } finally {
      await service.close();
    }
  });
});
