import { CaptureLogger, type Clock, type FakeClock } from 'pristine-kernel';
import { recordingTinkerKernel } from './recording-tinker-kernel.js';
import { TelemetryReporter, type TelemetryReporterOptions } from '../../src/telemetry/reporter.js';

/**
 * A session's telemetry reporter whose kernel accepts every batch (no server), and the batches' bodies
 * as sent, in order.
 */
export function acceptingTelemetry(sessionId: string, clock: Clock, options: TelemetryReporterOptions = {}) {
  const { kernel, seen } = recordingTinkerKernel({
    contentType: 'application/json',
    body: '{"status":"accepted"}',
  });
  const logger = new CaptureLogger({ level: 'off' });
  const reporter = new TelemetryReporter(kernel, sessionId, '0.25.0', clock, logger, options);
  const batches = () =>
    seen.map(
      (r) =>
        JSON.parse(Buffer.from(r.body as Uint8Array).toString()) as {
          events: (Record<string, unknown> & { event_id: string; event_session_index: number })[];
        },
    );
  return { kernel, reporter, batches };
}

/** The URL the burst's events name (never requested: the reporter only records it). */
export const SAMPLE_URL = 'http://127.0.0.1:1/api/v1/asample';

/**
 * A sampling burst: `starts` request starts, 10 every 10 ms of the fake clock (1,000 a second), as a
 * fan-out queues them. After it, a reporter with the burst rule sent its first 100 events and holds the rest.
 */
export async function sampleBurst(
  reporter: TelemetryReporter,
  clock: FakeClock,
  starts = 1_000,
): Promise<void> {
  for (let i = 0; i < starts; i++) {
    reporter.httpStart('asample', 'POST', SAMPLE_URL);
    if (i % 10 === 9) await clock.advance(10);
  }
}
