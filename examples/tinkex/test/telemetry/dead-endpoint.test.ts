import { describe, expect, it } from '@jest/globals';
import { CaptureLogger, FakeClock } from 'pristine-kernel';
import { closedTinkerKernel } from '../support/closed-tinker-kernel.js';
import { TelemetryReporter } from '../../src/telemetry/reporter.js';

/**
 * A public call that fails waits for its telemetry to go out before it rethrows (Python's
 * `capture_exceptions(fatal=True)`), but never on an endpoint that cannot take it. When the server died,
 * each failing call used to wait for every event queued before it, 100 a batch and one batch's retries
 * at a time: a thousand samples failing together were handed their errors over 30 s instead of at once.
 */
describe('a fatal exception while the telemetry endpoint is unreachable', () => {
  it('waits for one batch to fail, not for the whole queue to be tried batch by batch', async () => {
    const clock = new FakeClock();
    const logger = new CaptureLogger({ level: 'debug' });
    // A closed kernel refuses every call at once: every batch fails, as against a dead server.
    const reporter = new TelemetryReporter(await closedTinkerKernel(), 'session-1', '0.25.0', clock, logger);
    const batchesTried = () => logger.records.filter((r) => r.message === 'telemetry batch dropped').length;
    // Fewer than a flush's threshold (100), so nothing was tried yet: 3 batches' worth would need 3 flushes.
    for (let i = 0; i < 99; i++) reporter.generic('tinkex.test', { i });
    reporter.exception(new Error('first'));
    for (let i = 0; i < 99; i++) reporter.generic('tinkex.test', { i });
    await reporter.fatalException(new Error('the call failed'));
    expect(batchesTried()).toBe(1);
    expect(logger.records.map((r) => r.message)).toContain(
      'the failure could not be reported to Tinker telemetry (not sent yet)',
    );

    // A failure after that one waits for one more try (the server may be back), again one batch.
    await reporter.fatalException(new Error('the next call failed'));
    expect(batchesTried()).toBe(2);
    await reporter.close();
  });
});
