import { describe, expect, it } from '@jest/globals';
import { WindowRateLimiter } from '../../../src/adapters/rate-limiter/window-rate-limiter.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { RecordingClock } from '../../support/recording-clock.js';

describe('WindowRateLimiter', () => {
  it('closes a bucket for the backoff window and never blocks other buckets', async () => {
    const clock = new RecordingClock();
    const limiter = new WindowRateLimiter(clock);
    limiter.backoff('a', 5000);
    limiter.backoff('a', 1000); // never shortens
    expect(limiter.waitTime('a')).toBe(5000);
    await limiter.acquire('b');
    expect(clock.sleeps).toEqual([]);
    await limiter.acquire('a');
    expect(clock.sleeps).toEqual([5000]);
    expect(limiter.waitTime('a')).toBe(0);
  });

  it('aborts a wait at once', async () => {
    const clock = new RecordingClock();
    clock.hold = true;
    const limiter = new WindowRateLimiter(clock);
    limiter.backoff('a', 10_000);
    const controller = new AbortController();
    const waiting = limiter.acquire('a', { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it('enforces a token bucket: a burst, then one request per 1/rate seconds', async () => {
    const clock = new RecordingClock();
    const limiter = new WindowRateLimiter(clock);
    const settings = { requestsPerSecond: 4, burst: 2 };
    for (let i = 0; i < 4; i++) await limiter.acquire('t', { tokenBucket: settings });
    expect(clock.sleeps).toEqual([250, 250]);
  });
});
