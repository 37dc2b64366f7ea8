import { describe, expect, it } from '@jest/globals';
import { APIUserAbortError } from '../../src/kernel/errors/api-errors.js';
import type { RateLimiter } from '../../src/ports/rate-limiter.js';

/*
 * The behaviour every RateLimiter shares (in-process, Redis, Redis Cluster), on the real clock (Redis
 * keeps time on the server, so a fake clock cannot drive it). Windows are short; the assertions are
 * about order and "not before the window reopened", never about how fast anything was.
 */

export interface Subject {
  make(): RateLimiter;
}

/** Resolve-time (ms since `start`) of each settled promise, and its order. */
export function tracker() {
  const start = performance.now();
  const order: string[] = [];
  const track = (name: string, p: Promise<void>) =>
    p.then(() => {
      order.push(name);
      return performance.now() - start;
    });
  return { order, track };
}

export function contract(name: string, subject: () => Subject) {
  describe(`RateLimiter contract: ${name}`, () => {
    it('closes a bucket for the backoff window (never shortened) and never blocks other buckets', async () => {
      const limiter = subject().make();
      const { order, track } = tracker();
      limiter.backoff('a', 400);
      limiter.backoff('a', 10); // never shortens
      expect(limiter.waitTime('a')).toBeGreaterThan(300);
      const a = track('a', limiter.acquire('a'));
      await track('b', limiter.acquire('b'));
      expect(order).toEqual(['b']);
      expect(await a).toBeGreaterThanOrEqual(380);
      expect(limiter.waitTime('a')).toBe(0);
    });

    it('remembers when the latest window reopens, also after it reopened', async () => {
      const limiter = subject().make();
      expect(limiter.reopensAt('a')).toBe(0);
      const before = Date.now();
      limiter.backoff('a', 50);
      const reopensAt = limiter.reopensAt('a');
      // A window kept on monotonic time, read on the wall clock (whole ms): within a millisecond.
      expect(reopensAt).toBeGreaterThanOrEqual(before + 50 - 1);
      await limiter.acquire('a');
      expect(limiter.waitTime('a')).toBe(0);
      // Still known once past (Redis may have moved it a little later: its clock decides the window).
      expect(limiter.reopensAt('a')).toBeGreaterThanOrEqual(reopensAt - 1);
      expect(limiter.reopensAt('a')).toBeLessThanOrEqual(Date.now() + 1);
      expect(limiter.reopensAt('b')).toBe(0);
    });

    it('rejects an aborted wait at once with the reason as cause', async () => {
      const limiter = subject().make();
      limiter.backoff('a', 60_000);
      const controller = new AbortController();
      const waiting = limiter.acquire('a', { signal: controller.signal });
      controller.abort('bye');
      await expect(waiting).rejects.toMatchObject({ name: 'APIUserAbortError', cause: 'bye' });
      await expect(limiter.acquire('a', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
        APIUserAbortError,
      );
    });

    it('serves a burst at once, then one token per 1/rate, in arrival order', async () => {
      const limiter = subject().make();
      const { order, track } = tracker();
      const tokenBucket = { requestsPerSecond: 20, burst: 2 };
      const calls = Array.from({ length: 6 }, (_, i) =>
        track(String(i), limiter.acquire('t', { tokenBucket })),
      );
      const times = await Promise.all(calls);
      expect(order).toEqual(['0', '1', '2', '3', '4', '5']);
      // Four calls beyond the burst need four refills of 50 ms each.
      expect(times[5]).toBeGreaterThanOrEqual(190);
    });

    it('applies a backoff to callers already queued for tokens', async () => {
      const limiter = subject().make();
      const tokenBucket = { requestsPerSecond: 10, burst: 1 };
      await limiter.acquire('x', { tokenBucket });
      const { track } = tracker();
      const queued = track('x', limiter.acquire('x', { tokenBucket }));
      limiter.backoff('x', 400);
      expect(await queued).toBeGreaterThanOrEqual(380);
    });

    it('rejects token bucket settings that could never grant, before waiting', async () => {
      const limiter = subject().make();
      await expect(
        limiter.acquire('t', { tokenBucket: { requestsPerSecond: 0, burst: 1 } }),
      ).rejects.toBeInstanceOf(RangeError);
    });
  });
}
