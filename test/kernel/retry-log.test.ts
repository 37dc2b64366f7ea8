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
  return { clock, logger, retry, info };
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
    await clock.advance(RETRY_LOG_WINDOW_MS - 1);
    retry('asample', 'HTTP 502', 1); // a new call, still in the window
    await clock.advance(1);
    retry('asample', 'HTTP 502', 1); // the window is over
    expect(info()).toEqual([
      'retrying asample in 0.5 s after HTTP 502 (retry 1 of 10)',
      'retrying asample in 0.5 s after HTTP 502 (retry 2 of 10); 57 other retries of asample after HTTP 502 since the last such line',
      'retrying asample in 0.5 s after HTTP 502 (retry 1 of 10); 1 other retry of asample after HTTP 502 since the last such line',
    ]);
    expect(logger.records.at(-1)!.fields).toEqual({ attempt: 1, more_retries: 1 });
  });
});
