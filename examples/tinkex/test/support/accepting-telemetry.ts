import { CaptureLogger, type Clock } from 'pristine-kernel';
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
