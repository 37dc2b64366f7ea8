import { describe, expect, it } from '@jest/globals';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { RETRY_LOG_WINDOW_MS, RetryLog } from '../../src/kernel/retry-log.js';

/*
 * Round 33: at info, a server outage logged one line per retry (651 lines in 2 s with 200 calls in
 * flight). The retries of one endpoint after one cause now share info lines: one per retry number and
 * window, the others counted.
 */
function setUp() {
  const clock = new FakeClock();
  const logger = new CaptureLogger({ level: 'debug' });
  const log = new RetryLog(logger, clock);
  const retry = (what: string, cause: string, n: number) =>
    log.retried(what, cause, n, `retrying ${what} in 0.5 s after ${cause} (retry ${n} of 10)`, {
      attempt: n,
    });
  const info = () => logger.records.filter((r) => r.level === 'info').map((r) => r.message);
  return { clock, logger, log, retry, info };
}

describe('RetryLog', () => {
  it('says the first retry of an endpoint after a cause at info, the other calls’ at debug', () => {
    const { retry, info, logger } = setUp();
    for (let call = 0; call < 200; call++) retry('asample', 'HTTP 502', 1);
    retry('asample', 'HTTP 503', 1);
    retry('forward', 'HTTP 502', 1);
    expect(info()).toEqual([
      'retrying asample in 0.5 s after HTTP 502 (retry 1 of 10)',
      'retrying asample in 0.5 s after HTTP 503 (retry 1 of 10)',
      'retrying forward in 0.5 s after HTTP 502 (retry 1 of 10)',
    ]);
    // Each attempt is still there at debug.
    expect(logger.records.filter((r) => r.level === 'debug')).toHaveLength(199);
  });

  it('one call’s retries read as before: each higher retry number at info', () => {
    const { retry, info } = setUp();
    for (let n = 1; n <= 3; n++) retry('get_client_config', 'ECONNREFUSED', n);
    expect(info()).toHaveLength(3);
  });

  it('the next info line counts the retries said at debug since the last one', async () => {
    const { clock, retry, info, logger } = setUp();
    for (let call = 0; call < 58; call++) retry('asample', 'HTTP 502', 1);
    retry('asample', 'HTTP 502', 2); // a higher retry number: said
    expect(logger.records.at(-1)!.fields).toEqual({ attempt: 2, more_retries: 57 });
    await clock.advance(RETRY_LOG_WINDOW_MS - 1);
    retry('asample', 'HTTP 502', 1); // a new call, still in the window
    await clock.advance(1); // the window is over: its count is said then
    retry('asample', 'HTTP 502', 1); // a new window, nothing left to count
    expect(info()).toEqual([
      'retrying asample in 0.5 s after HTTP 502 (retry 1 of 10)',
      'retrying asample in 0.5 s after HTTP 502 (retry 2 of 10); 57 other retries of asample after HTTP 502 since the last such line',
      '1 other retry of asample after HTTP 502 since the last such line',
      'retrying asample in 0.5 s after HTTP 502 (retry 1 of 10)',
    ]);
    expect(logger.records.at(-2)!.fields).toEqual({ more_retries: 1 });
  });

  // Round 34: an outage's last count was said only if another retry came, which after the last one never
  // does: "199 other retries" were never said. Now the window's end says it, on the clock (no sleep).
  it("says the count of an outage's last window when the window ends, with no retry after it", async () => {
    const { clock, retry, info } = setUp();
    for (let call = 0; call < 200; call++) retry('asample', 'HTTP 502', 1);
    expect(info()).toHaveLength(1);
    await clock.advance(RETRY_LOG_WINDOW_MS - 1);
    expect(info()).toHaveLength(1);
    await clock.advance(1);
    expect(info()).toEqual([
      'retrying asample in 0.5 s after HTTP 502 (retry 1 of 10)',
      '199 other retries of asample after HTTP 502 since the last such line',
    ]);
    expect(clock.pending).toBe(0);
    await clock.advance(10 * RETRY_LOG_WINDOW_MS); // said once
    expect(info()).toHaveLength(2);
  });

  it('a window whose count an info line said leaves nothing to say at its end', async () => {
    const { clock, retry, info } = setUp();
    retry('asample', 'HTTP 502', 1);
    retry('asample', 'HTTP 502', 1);
    retry('asample', 'HTTP 502', 2); // says the 1 other
    await clock.advance(RETRY_LOG_WINDOW_MS);
    expect(info()).toHaveLength(2);
    expect(clock.pending).toBe(0);
  });

  it('says what is left at close, when the kernel closes, and leaves no timer', () => {
    const clock = new FakeClock();
    const logger = new CaptureLogger({ level: 'info' });
    const closing = new AbortController();
    const log = new RetryLog(logger, clock, closing.signal);
    for (const cause of ['HTTP 502', 'HTTP 503'])
      for (let call = 0; call < 3; call++) log.retried('asample', cause, 1, `retrying after ${cause}`, {});
    expect(clock.pending).toBe(2);
    closing.abort();
    expect(logger.records.map((r) => r.message)).toEqual([
      'retrying after HTTP 502',
      'retrying after HTTP 503',
      '2 other retries of asample after HTTP 502 since the last such line',
      '2 other retries of asample after HTTP 503 since the last such line',
    ]);
    expect(clock.pending).toBe(0);
    log.close(); // idempotent
    expect(logger.records).toHaveLength(4);
  });

  // Round 34 (probe): the CLI printed its answer, then the count (said at close). sayNow says it first.
  it('sayNow says what is left at once, clears the timers, and later retries start a new window', async () => {
    const { clock, log, retry, info } = setUp();
    for (let call = 0; call < 3; call++) retry('delete_checkpoint', 'HTTP 503', 1);
    expect(info()).toHaveLength(1);
    expect(clock.pending).toBe(1);
    log.sayNow();
    expect(info()).toEqual([
      'retrying delete_checkpoint in 0.5 s after HTTP 503 (retry 1 of 10)',
      '2 other retries of delete_checkpoint after HTTP 503 since the last such line',
    ]);
    expect(clock.pending).toBe(0);
    await clock.advance(RETRY_LOG_WINDOW_MS); // said once
    retry('delete_checkpoint', 'HTTP 503', 1); // a new window: said at info
    expect(info()).toHaveLength(3);
  });
});

// Round 35, by hand: a cause that is a sentence (SharedStateUnavailableError's message ends with a
// period) read "… refusing to run without fleet-wide limits. since the last such line".
describe('RetryLog counts after a cause that ends a sentence', () => {
  it('say the count without the cause’s full stop in the middle of the line', async () => {
    const { clock, retry, info } = setUp();
    const cause =
      'Shared rate limits unavailable: Redis cannot be reached; refusing to run without fleet-wide limits.';
    for (let call = 0; call < 3; call++) retry('sample', cause, 1);
    retry('sample', cause, 2);
    retry('sample', cause, 2);
    await clock.advance(RETRY_LOG_WINDOW_MS);
    const counts = info().filter((line) => line.includes('other retr'));
    expect(counts).toEqual([
      expect.stringMatching(
        /; 2 other retries of sample after .*fleet-wide limits since the last such line$/,
      ),
      '1 other retry of sample after Shared rate limits unavailable: Redis cannot be reached; refusing to run without fleet-wide limits since the last such line',
    ]);
  });
});
