import { describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CaptureLogger, FakeClock, Ports } from 'pristine-kernel';
import { startEmulator } from 'tinker-emulator';
import { ArchiveNotReadyError, ServiceClient } from '../../src/index.js';
import { onTestClock } from '../support/on-test-clock.js';

/**
 * Waits a person would otherwise sit through in silence are logged at info ("still waiting …"): a
 * checkpoint archive the server is still preparing (503, asked again every 30 s) and a trace export
 * still pending. Time runs on a test clock; the servers are real.
 */

function client(base_url: string, clock: FakeClock, logger: CaptureLogger, max_retries?: number) {
  return new ServiceClient({
    ...(max_retries !== undefined ? { max_retries } : {}),
    api_key: 'tml-slow-waits',
    base_url,
    protocol: 'legacy', // no handshake: these servers answer only what the test asks
    telemetry: false,
    env: {},
    configureKernel: (kernel) => {
      kernel.register(Ports.Clock, clock);
      kernel.register(Ports.Logger, logger);
    },
  });
}

describe('slow waits are logged at info', () => {
  it('an archive being prepared: one line per 30 s wait, then the URL', async () => {
    let asks = 0;
    const server = http.createServer((req, res) => {
      asks++;
      if (asks <= 4)
        return res.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"preparing"}');
      res.writeHead(302, { location: 'http://127.0.0.1:9/archive.tar?sig=1' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const clock = new FakeClock();
    const logger = new CaptureLogger({ level: 'info' });
    const service = client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, clock, logger);
    try {
      const rest = service.createRestClient();
      // maxRetries 1: each ask is two requests (maxRetries 0 would not wait at all).
      const archive = await onTestClock(
        rest.getCheckpointArchiveUrl('run-1', 'weights/w', { maxRetries: 1 }),
        clock,
      );
      expect(archive.url).toBe('http://127.0.0.1:9/archive.tar?sig=1');
      const waits = logger.at('info').filter((r) => r.message.startsWith('still waiting'));
      expect(waits.map((r) => r.message)).toEqual([
        'still waiting for the archive of run-1/weights/w: the server is preparing it; asking again in 30 s (wait 1 of 5)',
        'still waiting for the archive of run-1/weights/w: the server is preparing it; asking again in 30 s (wait 2 of 5)',
      ]);
      expect(asks).toBe(5);
    } finally {
      await service.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a trace export still pending: one line per poll, then the URL', async () => {
    const emulator = await startEmulator({ seed: 7, traceExportPendingPolls: 2 });
    const clock = new FakeClock();
    const logger = new CaptureLogger({ level: 'info' });
    const service = client(emulator.url, clock, logger);
    try {
      const session = await service.session();
      const { url } = await onTestClock(
        service.createRestClient().exportSessionTrace(session.sessionId),
        clock,
      );
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      const waits = logger.at('info').filter((r) => r.message.startsWith('still waiting'));
      expect(waits.map((r) => r.message)).toEqual([
        `still waiting for the trace export of ${session.sessionId} (pending); asking again in 5 s`,
        `still waiting for the trace export of ${session.sessionId} (pending); asking again in 5 s`,
      ]);
    } finally {
      await service.close();
      await emulator.close();
    }
  });

  // Found in review (round 35): `--max-retries 0` still waited 5 × 30 s on a 503 "being prepared".
  // Round 36: a call's own `{ maxRetries: 0 }` still did.
  it.each([
    ['the client\'s max_retries 0 ("fails at once")', 0, undefined],
    ["a call's maxRetries 0", undefined, { maxRetries: 0 }],
  ])('%s: an archive being prepared is said at once, not waited for', async (_, max_retries, options) => {
    let asks = 0;
    const server = http.createServer((req, res) => {
      asks++;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"preparing"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const clock = new FakeClock();
    const logger = new CaptureLogger({ level: 'info' });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const service = client(base, clock, logger, max_retries);
    try {
      const asked = onTestClock(
        service.createRestClient().getCheckpointArchiveUrl('run-1', 'weights/w', options),
        clock,
      );
      const error = await asked.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArchiveNotReadyError);
      expect((error as Error).message).toMatch(
        /archive of run-1\/weights\/w is being prepared.*try again later.*--max-retries 0/,
      );
      expect(asks).toBe(1);
      expect(logger.at('info')).toEqual([]); // no "still waiting" line: nothing was waited for
    } finally {
      await service.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
