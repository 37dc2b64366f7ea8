import { describe, expect, it } from '@jest/globals';
import { FakeClock, Ports } from 'pristine-kernel';
import { startEmulator } from 'tinker-emulator';
import { ServiceClient } from '../../src/index.js';
import { onTestClock } from '../support/on-test-clock.js';

const clientOf = (base_url: string, clock: FakeClock) =>
  new ServiceClient({
    api_key: 'tml-trace-progress',
    base_url,
    protocol: 'legacy',
    telemetry: false,
    log_level: 'off',
    env: {},
    configureKernel: (kernel) => kernel.register(Ports.Clock, clock),
  });

/**
 * Found by hand: `exportSessionTrace` can wait minutes (the server prepares the export) and told the
 * caller nothing until it settled; downloads have `onProgress`, the export had only an info log. Now
 * `onProgress` hears every answer that is not final: the status, how many polls, the time waited.
 * Time runs on a test clock; the emulator is real.
 */
describe('exportSessionTrace({ onProgress })', () => {
  it('reports each pending poll, then resolves with the URL', async () => {
    const emulator = await startEmulator({ seed: 7, traceExportPendingPolls: 2 });
    const clock = new FakeClock();
    const service = clientOf(emulator.url, clock);
    try {
      const session = await service.session();
      const rest = service.createRestClient();
      const seen: { status: string; polls: number; elapsedMs: number }[] = [];
      const result = await onTestClock(
        rest.exportSessionTrace(session.sessionId, {
          pollIntervalMs: 1_000,
          onProgress: (progress) => seen.push(progress),
        }),
        clock,
      );
      expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      expect(seen.map(({ status, polls }) => ({ status, polls }))).toEqual([
        { status: 'pending', polls: 1 },
        { status: 'pending', polls: 2 },
      ]);
      // The test clock also jumps while a request is out, so only the wait in between is exact.
      expect(seen[0]!.elapsedMs).toBeGreaterThanOrEqual(0);
      expect(seen[1]!.elapsedMs - seen[0]!.elapsedMs).toBeGreaterThanOrEqual(1_000);
    } finally {
      await service.close();
      await emulator.close();
    }
  });

  // Found by hand: `pollIntervalMS: 5` (a typo) was dropped and the export was polled every 5 s.
  it('refuses a misspelt option by name before anything is sent', async () => {
    const emulator = await startEmulator({ seed: 7 });
    const service = clientOf(emulator.url, new FakeClock());
    try {
      const rest = service.createRestClient();
      await expect(rest.exportSessionTrace('sess-1', { pollIntervalMS: 5 } as never)).rejects.toMatchObject({
        name: 'ValidationError',
        issues: [expect.objectContaining({ pointer: '/pollIntervalMS', rule: 'additionalProperties' })],
      });
      expect(emulator.requestLog()).toHaveLength(0);
    } finally {
      await service.close();
      await emulator.close();
    }
  });
});
