import { describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { fingerprint } from '../../../src/adapters/auth/api-key-header.js';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import {
  FORGET_REOPENED_AFTER_MS,
  WindowRateLimiter,
  bucketKey,
} from '../../../src/adapters/rate-limiter/window-rate-limiter.js';
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

describe('WindowRateLimiter with a FakeClock', () => {
  /** Resolve-time of each promise, on the fake clock. */
  const track = (clock: FakeClock, p: Promise<void>) => {
    const state: { at?: number; error?: unknown } = {};
    p.then(
      () => (state.at = clock.now()),
      (error: unknown) => (state.error = error),
    );
    return state;
  };

  it('holds a bucket closed until the window passes, re-checking an extension made meanwhile', async () => {
    const clock = new FakeClock(0);
    const limiter = new WindowRateLimiter(clock);
    limiter.backoff('a', 1000);
    const a = track(clock, limiter.acquire('a'));
    const b = track(clock, limiter.acquire('b'));
    await clock.advance(0);
    expect(b.at).toBe(0); // another bucket is never blocked
    await clock.advance(500);
    limiter.backoff('a', 1000); // a second 429 while waiting: now reopens at 1500
    limiter.backoff('a', 10); // never shortens
    await clock.advance(500);
    expect(a.at).toBeUndefined();
    expect(limiter.waitTime('a')).toBe(500);
    await clock.advance(500);
    expect(a.at).toBe(1500);
    expect(limiter.waitTime('a')).toBe(0);
  });

  it('rejects an aborted wait at once with the reason and leaves no timer', async () => {
    const clock = new FakeClock(0);
    const limiter = new WindowRateLimiter(clock);
    limiter.backoff('a', 60_000);
    const controller = new AbortController();
    const waiting = limiter.acquire('a', { signal: controller.signal });
    expect(clock.pending).toBe(1);
    controller.abort('bye');
    await expect(waiting).rejects.toMatchObject({ name: 'APIUserAbortError', cause: 'bye' });
    expect(clock.pending).toBe(0);
  });

  it('serves a burst at once, then one token per 1/rate seconds, in arrival order', async () => {
    const clock = new FakeClock(0);
    const limiter = new WindowRateLimiter(clock);
    const tokenBucket = { requestsPerSecond: 4, burst: 2 };
    const calls = Array.from({ length: 6 }, () => track(clock, limiter.acquire('t', { tokenBucket })));
    await clock.advance(2000);
    expect(calls.map((c) => c.at)).toEqual([0, 0, 250, 500, 750, 1000]);
    // Idle for a while refills up to the burst, not beyond.
    await clock.advance(10_000);
    const later = Array.from({ length: 3 }, () => track(clock, limiter.acquire('t', { tokenBucket })));
    await clock.advance(1000);
    expect(later.map((c) => c.at)).toEqual([12_000, 12_000, 12_250]);
    expect(clock.pending).toBe(0);
  });

  it('does not let a newcomer take a refilled token ahead of a queued caller', async () => {
    const clock = new FakeClock(0);
    const limiter = new WindowRateLimiter(clock);
    const tokenBucket = { requestsPerSecond: 1, burst: 1 };
    const order: string[] = [];
    await limiter.acquire('t', { tokenBucket });
    // The newcomer's timer is scheduled first, so at t=1000 it runs before the limiter's own refill
    // wait: a token exists then, but the queued caller is owed it.
    const newcomer = clock
      .sleep(1000)
      .then(() => limiter.acquire('t', { tokenBucket }))
      .then(() => order.push('newcomer'));
    const queued = limiter.acquire('t', { tokenBucket }).then(() => order.push('queued'));
    await clock.advance(3000);
    await Promise.all([queued, newcomer]);
    expect(order).toEqual(['queued', 'newcomer']);
  });

  it('lets an aborted token waiter leave the queue: the next takes its turn, and no timer is left', async () => {
    const clock = new FakeClock(0);
    const limiter = new WindowRateLimiter(clock);
    const tokenBucket = { requestsPerSecond: 10, burst: 1 };
    await limiter.acquire('t', { tokenBucket });
    const controller = new AbortController();
    const first = track(clock, limiter.acquire('t', { tokenBucket, signal: controller.signal }));
    const second = track(clock, limiter.acquire('t', { tokenBucket }));
    controller.abort();
    await clock.advance(100);
    expect(first.error).toBeInstanceOf(APIUserAbortError);
    expect(second.at).toBe(100);

    const lone = new AbortController();
    const alone = limiter.acquire('t', { tokenBucket, signal: lone.signal });
    await clock.advance(0);
    expect(clock.pending).toBe(1); // the refill wait
    lone.abort();
    await expect(alone).rejects.toBeInstanceOf(APIUserAbortError);
    await clock.advance(0);
    expect(clock.pending).toBe(0);
    // And the bucket still works afterwards.
    const after = track(clock, limiter.acquire('t', { tokenBucket }));
    await clock.advance(100);
    expect(after.at).toBe(200);
  });

  it('serves a waiter that queues right after the last one aborted, before the old pump unwound', async () => {
    const clock = new FakeClock(0);
    const limiter = new WindowRateLimiter(clock);
    const tokenBucket = { requestsPerSecond: 10, burst: 1 };
    await limiter.acquire('t', { tokenBucket });
    const lone = new AbortController();
    const alone = limiter.acquire('t', { tokenBucket, signal: lone.signal });
    await clock.advance(0);
    lone.abort();
    // Same tick: the aborted pump has not run its `finally` yet.
    const next = track(clock, limiter.acquire('t', { tokenBucket }));
    await expect(alone).rejects.toBeInstanceOf(APIUserAbortError);
    await clock.advance(0);
    expect(clock.pending).toBe(1); // a fresh pump waits for the refill
    // The old pump has unwound without taking the new one's place: still one pump, one refill wait.
    const third = track(clock, limiter.acquire('t', { tokenBucket }));
    await clock.advance(0);
    expect(clock.pending).toBe(1);
    await clock.advance(200);
    expect([next.at, third.at]).toEqual([100, 200]);
    expect(clock.pending).toBe(0);
  });

  it('leaves no abort listener on a long-lived signal once its queued token is granted', async () => {
    const clock = new FakeClock(0);
    const limiter = new WindowRateLimiter(clock);
    const tokenBucket = { requestsPerSecond: 10, burst: 1 };
    const session = new AbortController();
    await limiter.acquire('t', { tokenBucket, signal: session.signal });
    const queued = track(clock, limiter.acquire('t', { tokenBucket, signal: session.signal }));
    expect(getEventListeners(session.signal, 'abort')).toHaveLength(1);
    await clock.advance(100);
    expect(queued.at).toBe(100);
    expect(getEventListeners(session.signal, 'abort')).toHaveLength(0);
  });

  it('loses no tokens when the wall clock steps back', async () => {
    const clock = new (class extends RecordingClock {
      at = 10_000;
      override now(): number {
        return this.at;
      }
      override sleep(ms: number): Promise<void> {
        this.sleeps.push(ms);
        this.at += ms;
        return Promise.resolve();
      }
    })();
    const limiter = new WindowRateLimiter(clock);
    const tokenBucket = { requestsPerSecond: 1, burst: 2 };
    await limiter.acquire('t', { tokenBucket });
    clock.at = 0; // NTP stepped the clock back 10 s
    await limiter.acquire('t', { tokenBucket }); // the token left from the burst: no wait
    expect(clock.sleeps).toEqual([]);
  });

  it('a wall clock stepped back an hour does not hold a closed bucket for an hour', async () => {
    const clock = new FakeClock();
    const limiter = new WindowRateLimiter(clock);
    limiter.backoff('a', 5_000); // a 429 asked for 5 s
    clock.stepWall(-3_600_000); // then NTP stepped the wall clock back an hour
    expect(limiter.waitTime('a')).toBe(5_000);
    let admitted = false;
    void limiter.acquire('a').then(() => (admitted = true));
    await clock.advance(5_000);
    expect(admitted).toBe(true);
    // The "recently throttled" phase reads the window on the wall clock it now has: reopened just now.
    expect(clock.now() - limiter.reopensAt('a')).toBe(0);
  });

  it('a wall clock stepped forward neither reopens a closed bucket nor refills a token bucket at once', async () => {
    const clock = new FakeClock();
    const limiter = new WindowRateLimiter(clock);
    limiter.backoff('a', 5_000);
    const tokenBucket = { requestsPerSecond: 1, burst: 2 };
    await limiter.acquire('t', { tokenBucket });
    await limiter.acquire('t', { tokenBucket }); // the burst is spent
    clock.stepWall(3_600_000);
    expect(limiter.waitTime('a')).toBe(5_000);
    expect(clock.now() - limiter.reopensAt('a')).toBe(-5_000);
    let granted = false;
    void limiter.acquire('t', { tokenBucket }).then(() => (granted = true));
    await clock.advance(999);
    expect(granted).toBe(false); // no burst: the next token still takes a second
    await clock.advance(1);
    expect(granted).toBe(true);
  });

  it('rejects an already-aborted signal even when the bucket is open and has tokens', async () => {
    const limiter = new WindowRateLimiter(new FakeClock(0));
    const signal = AbortSignal.abort('gone');
    await expect(limiter.acquire('open', { signal })).rejects.toMatchObject({ name: 'APIUserAbortError' });
    const tokenBucket = { requestsPerSecond: 1, burst: 5 };
    await expect(limiter.acquire('full', { signal, tokenBucket })).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it('ignores a backoff of zero, a negative or a non-number: the bucket never closed', () => {
    const clock = new FakeClock(1_000);
    const limiter = new WindowRateLimiter(clock);
    for (const ms of [0, -5, Number.NaN]) limiter.backoff('a', ms);
    expect([limiter.reopensAt('a'), limiter.waitTime('a')]).toEqual([0, 0]);
  });

  it('keeps token buckets apart and applies a backoff to callers already queued for tokens', async () => {
    const clock = new FakeClock(0);
    const limiter = new WindowRateLimiter(clock);
    const tokenBucket = { requestsPerSecond: 1, burst: 1 };
    await limiter.acquire('x', { tokenBucket });
    const y = track(clock, limiter.acquire('y', { tokenBucket }));
    const x = track(clock, limiter.acquire('x', { tokenBucket }));
    await clock.advance(0);
    expect(y.at).toBe(0);
    limiter.backoff('x', 5000);
    await clock.advance(10_000);
    expect(x.at).toBe(5000);
  });

  it('rejects token bucket settings that could never grant', async () => {
    const limiter = new WindowRateLimiter(new FakeClock());
    await expect(
      limiter.acquire('t', { tokenBucket: { requestsPerSecond: 0, burst: 1 } }),
    ).rejects.toBeInstanceOf(RangeError);
    for (const burst of [0, 0.5]) {
      // A bucket that never holds a whole token would keep its callers waiting for ever.
      await expect(
        limiter.acquire('t', { tokenBucket: { requestsPerSecond: 1, burst } }),
      ).rejects.toBeInstanceOf(RangeError);
    }
  });
});

describe('bucketKey', () => {
  it('combines the base URL with the credential fingerprint, never the raw key', () => {
    const key = bucketKey('https://api.example.com/v1', fingerprint('sk-secret-123'));
    expect(key).toBe(`https://api.example.com/v1|${fingerprint('sk-secret-123')}`);
    expect(key).not.toContain('sk-secret-123');
    expect(bucketKey('https://api.example.com/v1', fingerprint('other'))).not.toBe(key);
  });

  it('forgets windows that reopened over an hour ago once buckets pile up, and only those', async () => {
    // One bucket per sampler, each closed by a 429 (an RL loop over a long life): the old ones go.
    const clock = new FakeClock();
    const limiter = new WindowRateLimiter(clock);
    const settings = { requestsPerSecond: 1, burst: 1 };
    limiter.backoff('sampler-0', 1_000);
    await clock.advance(FORGET_REOPENED_AFTER_MS + 1_000);
    limiter.backoff('recent', 1_000);
    await clock.advance(2_000);
    await limiter.acquire('tokens', { tokenBucket: settings }); // its only token is spent
    for (let i = 1; i <= 1_000; i++) limiter.backoff(`sampler-${i}`, 1_000);
    expect(limiter.reopensAt('sampler-0')).toBe(0);
    // A window that reopened a second ago is still "recent" (the throttled phase reads it).
    expect(limiter.reopensAt('recent')).toBe(clock.now() - 1_000);
    // A token bucket's state is kept: the next token comes a second after the last, not at once.
    let granted = false;
    const next = limiter.acquire('tokens', { tokenBucket: settings }).then(() => (granted = true));
    await clock.advance(0);
    expect(granted).toBe(false);
    await clock.advance(1_000);
    await next;
    expect(granted).toBe(true);
  });
});
