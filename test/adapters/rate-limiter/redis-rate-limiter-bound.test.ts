import { afterAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { RedisRateLimiter, rateLimitKeys } from '../../../src/adapters/rate-limiter/redis-rate-limiter.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import type { Clock } from '../../../src/ports/clock.js';
import { abortErrorFor } from '../../../src/kernel/signals/abort-error-for.js';
import { eventually, frozenRedisSuite } from '../../support/frozen-redis.js';
import { describeRedis } from '../../support/redis-server.js';

/*
 * The fleet's token bucket must grant at most `burst + rate × window` tokens in any window of Redis's
 * clock (round 28). Redis keeps time on the server, so these tests never wait for it: each caller's
 * clock records the waits Redis hands out and never lets them end (only an abort does), and the
 * grants are read from the bucket's hash on Redis's clock (`refilled_at` is Redis's TIME in ms).
 */

/** A process's clock: its own time (`offsetMs` away from the others'), and sleeps held until aborted. */
class HeldClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private readonly offsetMs = 0) {}
  now(): number {
    return Date.now() + this.offsetMs;
  }
  monotonic(): number {
    return performance.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(abortErrorFor(signal))));
  }
  after(): () => void {
    return () => {};
  }
  every(): () => void {
    return () => {};
  }
}

/** Is every window [a, b] of these grant times (ms) within `burst + rate × (b − a)`? Lists the ones that are not. */
function overGrants(times: number[], rate: number, burst: number): string[] {
  const sorted = [...times].sort((a, b) => a - b);
  const over: string[] = [];
  for (let i = 0; i < sorted.length; i++)
    for (let j = i; j < sorted.length; j++) {
      const allowed = burst + (rate * (sorted[j] - sorted[i])) / 1000;
      if (j - i + 1 > allowed + 1e-9)
        over.push(`${j - i + 1} in ${sorted[j] - sorted[i]} ms (allowed ${allowed})`);
    }
  return over;
}

describeRedis('the Redis token bucket on Redis’s clock', () => {
  const suite = frozenRedisSuite(`rate-bound-${randomUUID()}:`);
  const links: RedisLink[] = [];
  /** A limiter on a connection of its own, as another process of the fleet would have. */
  const member = (clock = new HeldClock()) => {
    const link = new RedisLink({
      url: suite.redis.url,
      keyPrefix: suite.link.key(''),
      commandTimeoutMs: 60_000,
    });
    links.push(link);
    return { limiter: new RedisRateLimiter(link, clock), clock };
  };
  afterAll(async () => {
    await Promise.all(links.map((link) => link.close()));
  });

  /** The bucket as Redis last wrote it: tokens left (negative: reserved) at `at` (Redis ms). */
  const state = async (bucket: string) => {
    const [tokens, at] = await suite.admin.hmget(
      rateLimitKeys(suite.link, bucket)[0]!,
      'tokens',
      'refilled_at',
    );
    return { tokens: Number(tokens), at: Number(at) };
  };

  /**
   * Starts one acquire and returns when Redis has answered it, with the time Redis granted its token:
   * at once, or the slot it reserved (`now + wait`: Redis's `now` is the hash's `refilled_at`, and the
   * caller sleeps `wait`).
   */
  async function granted(
    one: { limiter: RedisRateLimiter; clock: HeldClock },
    bucket: string,
    tokenBucket: { requestsPerSecond: number; burst: number },
    signal?: AbortSignal,
  ): Promise<number> {
    const sleeps = one.clock.sleeps.length;
    let settled = false;
    one.limiter.acquire(bucket, { tokenBucket, signal }).then(
      () => (settled = true),
      () => {},
    );
    await eventually(async () => settled || one.clock.sleeps.length > sleeps);
    const { at } = await state(bucket);
    return settled ? at : at + one.clock.sleeps.at(-1)!;
  }

  it('keeps a drained bucket until it has refilled (an expired bucket is a full one)', async () => {
    const tokenBucket = { requestsPerSecond: 1, burst: 100 };
    const one = member();
    for (let i = 0; i < 102; i++) await granted(one, 'slow', tokenBucket); // the burst, then 2 reserved
    const { tokens, at } = await state('slow');
    const [seconds, micros] = await suite.admin.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const untilFull = ((tokenBucket.burst - tokens) * 1000) / tokenBucket.requestsPerSecond - (now - at);
    // Before the fix the key lived a minute past its last use: at 60 s a fresh, full bucket granted 100
    // more tokens where one that remembered had 58, so 200 went in 60 s against 160 allowed.
    expect(await suite.admin.pttl(rateLimitKeys(suite.link, 'slow')[0]!)).toBeGreaterThanOrEqual(untilFull);
  });

  it('gives a queued caller’s slot to the next caller, never a slot another holds', async () => {
    const tokenBucket = { requestsPerSecond: 1, burst: 1 };
    const [one, other] = [member(), member()];
    const grants = [await granted(one, 'refund', tokenBucket)]; // the burst, at once
    const leaving = new AbortController();
    const left = await granted(one, 'refund', tokenBucket, leaving.signal); // first in the queue: leaves
    grants.push(await granted(other, 'refund', tokenBucket)); // second in the queue: stays
    leaving.abort();
    await eventually(async () => (await suite.admin.zcard(rateLimitKeys(suite.link, 'refund')[1]!)) === 1);
    const newcomer = await granted(one, 'refund', tokenBucket);
    grants.push(newcomer);
    // Before the fix the newcomer got the second caller's slot: two grants at one instant, burst 1.
    expect(overGrants(grants, tokenBucket.requestsPerSecond, tokenBucket.burst)).toEqual([]);
    // Nor is the slot lost: the newcomer takes it, ahead of the second caller.
    expect(newcomer).toBe(left);
  });

  it('gives back the last queued caller’s token to the next one', async () => {
    const tokenBucket = { requestsPerSecond: 1, burst: 1 };
    const one = member();
    await granted(one, 'tail', tokenBucket);
    const leaving = new AbortController();
    const slot = await granted(one, 'tail', tokenBucket, leaving.signal);
    leaving.abort();
    await eventually(async () => (await state('tail')).tokens > -1);
    expect(await granted(one, 'tail', tokenBucket)).toBeLessThanOrEqual(slot);
  });

  it('hands a left slot on again when the caller that took it leaves too', async () => {
    const tokenBucket = { requestsPerSecond: 1, burst: 1 };
    const one = member();
    await granted(one, 'again', tokenBucket);
    const [first, second] = [new AbortController(), new AbortController()];
    const left = await granted(one, 'again', tokenBucket, first.signal);
    const last = await granted(one, 'again', tokenBucket);
    first.abort();
    expect(await granted(one, 'again', tokenBucket, second.signal)).toBe(left);
    second.abort();
    expect(await granted(one, 'again', tokenBucket)).toBe(left);
    expect(await granted(one, 'again', tokenBucket)).toBeGreaterThanOrEqual(last + 1000);
  });

  it('never grants over `burst + rate × window` while queued callers of three processes leave', async () => {
    const tokenBucket = { requestsPerSecond: 1, burst: 1 };
    const fleet = [member(), member(), member()];
    let seed = 28;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const kept: number[] = []; // granted at once: gone, nothing to give back
    const queued: { slot: number; leave: AbortController }[] = [];
    for (let i = 0; i < 60; i++) {
      if (queued.length > 0 && random() < 0.4) {
        queued.splice(Math.floor(random() * queued.length), 1)[0].leave.abort();
        continue;
      }
      const one = fleet[i % 3];
      const [leave, sleeps] = [new AbortController(), one.clock.sleeps.length];
      const slot = await granted(one, 'churn', tokenBucket, leave.signal);
      if (one.clock.sleeps.length === sleeps) kept.push(slot);
      else queued.push({ slot, leave });
    }
    // Before the fix: a refund from the middle of the queue let a newcomer share the last slot.
    expect(overGrants([...kept, ...queued.map((q) => q.slot)], 1, 1)).toEqual([]);
    for (const q of queued) q.leave.abort();
  });

  it('lets exactly `burst` of the fleet’s concurrent first calls go at once, on any process clock', async () => {
    // Slow enough that nothing refills while the six ask (half a token takes 50 s).
    const tokenBucket = { requestsPerSecond: 0.01, burst: 2.5 };
    // Processes whose clocks disagree by hours: only Redis's counts.
    const fleet = [-3_600_000, 0, 7_200_000, 0, -60_000, 0].map((offset) => member(new HeldClock(offset)));
    let atOnce = 0;
    for (const one of fleet) void one.limiter.acquire('first', { tokenBucket }).then(() => atOnce++);
    const waiting = () => fleet.reduce((sum, one) => sum + one.clock.sleeps.length, 0);
    await eventually(async () => atOnce + waiting() === fleet.length);
    expect(atOnce).toBe(2);
    const { tokens } = await state('first');
    expect(tokens).toBeCloseTo(2.5 - 6, 1); // six taken, one bucket
    // Each waiter waits for the tokens reserved before it: 0.5, 1.5, 2.5 and 3.5 owed, 100 s each.
    const waits = fleet.flatMap((one) => one.clock.sleeps).sort((a, b) => a - b);
    expect(waits.map((ms) => Math.round(ms / 1000))).toEqual([50, 150, 250, 350]);
  });

  it('spaces fractional tokens so that no window holds more than `burst + rate × window`', async () => {
    const tokenBucket = { requestsPerSecond: 3, burst: 1.5 };
    const one = member();
    const grants: number[] = [];
    for (let i = 0; i < 8; i++) grants.push(await granted(one, 'fraction', tokenBucket));
    expect(overGrants(grants, tokenBucket.requestsPerSecond, tokenBucket.burst)).toEqual([]);
  });
});
