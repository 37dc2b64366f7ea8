import { describe, expect, it } from '@jest/globals';
import { APITimeoutError, FakeClock, Ports } from 'pristine-kernel';
import { startEmulator } from 'tinker-emulator';
import { ServiceClient } from '../../src/index.js';
import { onTestClock } from '../support/on-test-clock.js';

/**
 * `RestClient.exportSessionTrace` against a server whose export stays `pending`: found by reading the
 * code after trying the CLI (which bounds its wait at 10 minutes), the library polled forever unless
 * the caller gave `timeoutMs` or a signal. It now settles within a documented default of 10 minutes.
 * Time runs on a test clock; the emulator is real.
 */
describe('exportSessionTrace: a bounded wait by default', () => {
  it('rejects with APITimeoutError after 10 minutes of pending polls; timeoutMs still overrides it', async () => {
    const emulator = await startEmulator({ seed: 7, traceExportPendingPolls: Number.MAX_SAFE_INTEGER });
    const clock = new FakeClock();
    const service = new ServiceClient({
      api_key: 'tml-trace-bound',
      base_url: emulator.url,
      protocol: 'legacy',
      telemetry: false,
      env: {},
      configureKernel: (kernel) => kernel.register(Ports.Clock, clock),
    });
    try {
      const session = await service.session();
      const rest = service.createRestClient();
      const start = clock.now();
      const error = await onTestClock(rest.exportSessionTrace(session.sessionId), clock).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(APITimeoutError);
      expect((error as Error).message).toBe('exportSessionTrace did not finish within timeoutMs (600000 ms)');
      expect(clock.now() - start).toBe(600_000);

      const shorter = await onTestClock(
        rest.exportSessionTrace(session.sessionId, { pollIntervalMs: 1_000, timeoutMs: 3_000 }),
        clock,
      ).catch((e: unknown) => e);
      expect((shorter as Error).message).toBe('exportSessionTrace did not finish within timeoutMs (3000 ms)');
    } finally {
      await service.close();
      await emulator.close();
    }
  }, 60_000);
});
