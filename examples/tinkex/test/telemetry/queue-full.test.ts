import { describe, expect, it } from '@jest/globals';
import { CaptureLogger, FakeClock } from 'pristine-kernel';
import { closedTinkerKernel } from '../support/closed-tinker-kernel.js';
import { MAX_QUEUE_SIZE, TelemetryReporter } from '../../src/telemetry/reporter.js';

/**
 * A client that samples faster than its telemetry drains (four events a sample) keeps the queue full
 * for as long as it runs. Each batch sent frees room for 100 more events; a warning per refill printed
 * hundreds of lines a minute on a user's stderr.
 */
describe('a full telemetry queue', () => {
  it('warns at most once a minute, saying how many events were dropped', async () => {
    const clock = new FakeClock();
    const logger = new CaptureLogger({ level: 'debug' });
    // Nothing can be sent: the events stay queued, as behind a saturated connection.
    const reporter = new TelemetryReporter(await closedTinkerKernel(), 'session-1', '0.25.0', clock, logger, {
      canSend: () => false,
    });
    const warnings = () => logger.records.filter((r) => r.level === 'warn').map((r) => r.message);
    const emit = (n: number) => {
      let accepted = 0;
      for (let i = 0; i < n; i++) if (reporter.generic('tinkex.test', { i })) accepted++;
      return accepted;
    };
    expect(emit(MAX_QUEUE_SIZE - 1)).toBe(MAX_QUEUE_SIZE - 1); // SESSION_START took one place
    expect(warnings()).toEqual([]);
    expect(emit(5_000)).toBe(0);
    // The forwarded HTTP events (queued compact) obey the same bound and count.
    expect(reporter.httpStart('asample', 'POST', 'http://127.0.0.1:1/api/v1/asample')).toBe(false);
    expect(reporter.httpStop('asample', 200, 5, 0)).toBe(false);
    expect(warnings()).toEqual([
      'Telemetry queue full (10000 events waiting to be sent): dropping new events; 1 dropped so far',
    ]);
    await clock.advance(59_999);
    emit(10);
    expect(warnings()).toHaveLength(1);
    await clock.advance(1);
    emit(1);
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]).toBe(
      'Telemetry queue full (10000 events waiting to be sent): dropping new events; 5012 dropped in the last 60 s',
    );
    await reporter.close();
  });
});
