import { describe, expect, it } from '@jest/globals';
import { CaptureLogger, FakeClock } from 'pristine-kernel';
import { closedTinkerKernel } from '../support/closed-tinker-kernel.js';
import { acceptingTelemetry } from '../support/accepting-telemetry.js';
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

/**
 * Found by hand: 30,000 samples with default options printed "Telemetry queue full … dropping" at warn,
 * on a run with nothing wrong. The per-request events (four a sample) filled the queue, and an exception
 * or retry event arriving then was dropped with them: the events that matter, lost to routine ones.
 */
describe('a telemetry queue full of per-request events', () => {
  it('makes room for an exception or a session event, and drops routine ones without a warning', async () => {
    const clock = new FakeClock();
    const logger = new CaptureLogger({ level: 'debug' });
    const reporter = new TelemetryReporter(await closedTinkerKernel(), 'session-1', '0.25.0', clock, logger, {
      canSend: () => false,
    });
    const at = (level: string) => logger.records.filter((r) => r.level === level).map((r) => r.message);
    const url = 'http://127.0.0.1:1/api/v1/asample';
    for (let i = 0; i < MAX_QUEUE_SIZE - 1; i++)
      expect(reporter.httpStart('asample', 'POST', url)).toBe(true);
    // Full: more routine events go, quietly (debug, once a minute).
    expect(reporter.httpStop('asample', 200, 5, 0)).toBe(false);
    expect(reporter.httpStart('asample', 'POST', url)).toBe(false);
    expect(at('warn')).toEqual([]);
    expect(at('debug').filter((m) => m.includes('dropping'))).toHaveLength(1);
    // What matters still gets in, in place of the oldest routine event.
    expect(reporter.generic('tinkex.retry.attempt.retry', { attempt: 1 })).toBe(true);
    expect(reporter.generic('tinkex.http.request.exception', {}, 'ERROR')).toBe(true);
    expect(at('warn')).toEqual([]);
    // A queue holding nothing routine drops the newest event, and says so.
    const only = new TelemetryReporter(await closedTinkerKernel(), 'session-2', '0.25.0', clock, logger, {
      canSend: () => false,
    });
    for (let i = 0; i < MAX_QUEUE_SIZE - 1; i++) only.generic('tinkex.queue.state_change', { i });
    expect(only.generic('tinkex.retry.attempt.retry', { attempt: 1 })).toBe(false);
    expect(at('warn')).toHaveLength(1);
    await reporter.close();
    await only.close();
  });

  it('counts an event it pushed out as sent, so waiting for the queue to drain still ends', async () => {
    const clock = new FakeClock();
    let open = false;
    const { kernel, reporter, batches } = acceptingTelemetry('session-3', clock, { canSend: () => open });
    for (let i = 0; i < MAX_QUEUE_SIZE - 1; i++)
      reporter.httpStart('asample', 'POST', 'http://127.0.0.1:1/x');
    expect(reporter.generic('tinkex.http.request.exception', {}, 'ERROR')).toBe(true);
    open = true;
    await expect(reporter.waitUntilDrained(60_000)).resolves.toBe(true);
    const sent = batches().flatMap((b) => b.events);
    expect(sent).toHaveLength(MAX_QUEUE_SIZE);
    expect(sent.at(-1)).toMatchObject({ event_name: 'tinkex.http.request.exception', severity: 'ERROR' });
    await reporter.close();
    await kernel.close();
  });
});
