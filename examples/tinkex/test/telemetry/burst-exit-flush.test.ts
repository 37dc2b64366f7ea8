import { describe, expect, it } from '@jest/globals';
import { CaptureLogger, FakeClock } from 'pristine-kernel';
import { acceptingTelemetry, sampleBurst, SAMPLE_URL } from '../support/accepting-telemetry.js';
import { closedTinkerKernel } from '../support/closed-tinker-kernel.js';
import { TelemetryReporter } from '../../src/telemetry/reporter.js';

/** Event-loop turns (not time) until `done`, at most 10,000: the batches go through the kernel's promises. */
async function turnsUntil(done: () => boolean) {
  for (let i = 0; i < 10_000 && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Found by hand (round 34): a script that samples 1,000 at once and ends without `close()` sent 100 of
 * its 4,003 events, where before the burst rule it sent them all (each 100 flushed while it ran). A
 * burst's deferred flush is now due when the process runs out of work (Node's `beforeExit`), as the
 * flush at 100 would have been.
 */
describe('a burst held for the timer when the process runs out of work', () => {
  it('is sent at beforeExit, every event once, without close()', async () => {
    const clock = new FakeClock();
    const { kernel, reporter, batches } = acceptingTelemetry('session-exit', clock);
    await sampleBurst(reporter, clock);
    expect(batches().flatMap((b) => b.events)).toHaveLength(100);
    process.emit('beforeExit', 0);
    await turnsUntil(() => batches().flatMap((b) => b.events).length >= 1_001);
    const indexes = batches().flatMap((b) => b.events.map((e) => e.event_session_index));
    expect(indexes).toEqual(Array.from({ length: 1_001 }, (_, i) => i));
    // Once sent, a second beforeExit (the loop emptied again) sends nothing more.
    process.emit('beforeExit', 0);
    await clock.advance(1);
    expect(batches().flatMap((b) => b.events)).toHaveLength(1_001);
    await reporter.close();
    await kernel.close();
  });

  it('leaves a queue below 100 for the timer or close(), as before the burst rule', async () => {
    const clock = new FakeClock();
    const { kernel, reporter, batches } = acceptingTelemetry('session-exit', clock);
    for (let i = 0; i < 50; i++) reporter.httpStart('asample', 'POST', SAMPLE_URL);
    process.emit('beforeExit', 0);
    await turnsUntil(() => batches().length > 0);
    expect(batches()).toHaveLength(0);
    await reporter.close();
    await kernel.close();
    expect(batches().flatMap((b) => b.events)).toHaveLength(52);
  });

  it('is not sent at beforeExit after close(): close() had its flush, the kernel is closed', async () => {
    // Found by hand: with the server killed during close(), the batches close() could not send were
    // tried once more at exit, against the closed client ("Cannot call telemetry: the client was closed").
    const clock = new FakeClock();
    const logger = new CaptureLogger({ level: 'debug' });
    const reporter = new TelemetryReporter(
      await closedTinkerKernel(),
      'session-exit',
      '0.25.0',
      clock,
      logger,
    );
    const batchesTried = () => logger.records.filter((r) => r.message === 'telemetry batch dropped').length;
    await sampleBurst(reporter, clock);
    await reporter.close();
    const tried = batchesTried();
    process.emit('beforeExit', 0);
    await turnsUntil(() => batchesTried() > tried);
    expect(batchesTried()).toBe(tried);
  });
});
