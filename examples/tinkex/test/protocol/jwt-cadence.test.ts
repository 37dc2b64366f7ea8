import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from 'pristine-kernel';
import { callsTo } from '../e2e/harness.js';
import { jwtEnv } from '../support/jwt-env.js';
import { refreshDelayMs } from '../../src/protocol/jwt.js';

// One protocol mode only: JWT exchange exists in 0.25 mode alone (`jwtEnv` sets it up there).

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const HOUR_MS = 3_600_000;
const STEP_MS = 5_000;

/**
 * `auth/token` exchanges in one simulated hour of a client that calls `getInfo` every 5 s on the
 * emulator's `ttlSeconds` JWTs, and the statuses those calls got.
 */
async function exchangesInAnHour(ttlSeconds: number) {
  const { env, clock } = await jwtEnv(ttlSeconds, new FakeClock(Date.now()));
  cleanup.push(env.close);
  const training = await env.service.createLoraTrainingClient({
    base_model: 'meta-llama/Llama-3.2-1B',
    rank: 2,
  });
  for (let elapsed = 0; elapsed < HOUR_MS; elapsed += STEP_MS) {
    await clock.advance(STEP_MS);
    await env.service.protocol.settled();
    await training.getInfo();
  }
  const refused = callsTo(env, 'get_info').filter((e) => e.status !== 200);
  return { exchanges: callsTo(env, 'auth/token').length, refused };
}

describe('JWT refresh cadence', () => {
  it('a 305 s token is refreshed half-way, not 10 s after each issue: about 24 exchanges an hour, not 360', async () => {
    // Found by reading: `remaining − 300 s` floored at 10 s renewed a 5-minute-and-a-bit token every
    // 10 s for its whole life (the Python SDK's rule, with no floor, every 5 s).
    const { exchanges, refused } = await exchangesInAnHour(305);
    expect(refused).toEqual([]);
    // Every ~152 s; the first exchange is the one at start-up.
    expect(exchanges).toBeGreaterThanOrEqual(1 + 23);
    expect(exchanges).toBeLessThanOrEqual(1 + 24 + 1);
  });

  it('a 600 s token is refreshed every 300 s (lead and half-way agree); an hour-long one once, 300 s before exp', async () => {
    const ten = await exchangesInAnHour(600);
    expect(ten.refused).toEqual([]);
    expect(ten.exchanges).toBeGreaterThanOrEqual(1 + 11);
    expect(ten.exchanges).toBeLessThanOrEqual(1 + 12 + 1);
    const hour = await exchangesInAnHour(3_600);
    expect(hour.refused).toEqual([]);
    expect(hour.exchanges).toBe(2);
  });

  // Time left at issue → delay until the refresh (ms). Moved here from negotiation.test.ts, with the edges.
  it.each([
    [3_600_000, 3_300_000],
    [900_000, 600_000],
    [601_000, 301_000],
    // The boundary: the lead (600 − 300) and half-way (600 / 2) agree.
    [600_000, 300_000],
    [400_000, 200_000],
    [305_000, 152_500],
    [300_000, 150_000],
    [299_999, 149_999.5],
    [100_000, 50_000],
    // Short lifetimes: half-way, but never more often than once a second.
    [5_000, 2_500],
    [1_000, 1_000],
    // Expired on arrival: the 10 s gap.
    [-5_000, 10_000],
  ])('a token with %d ms left is refreshed after %d ms', (left, delay) => {
    const now = 1_700_000_000_000;
    expect(refreshDelayMs(now + left, now)).toBe(delay);
  });

  it('never refreshes sooner because more time is left (no jump at 300 s or 600 s); no exp: every 300 s', () => {
    const now = 1_700_000_000_000;
    // The old rule fell from 150 s (300 s left) to 10 s (300.5 s left): a longer token, renewed sooner.
    // (From 500 ms left: a token expired on arrival gets the 10 s gap, apart.)
    let previous = 0;
    for (let left = 500; left <= 3_600_000; left += 500) {
      const delay = refreshDelayMs(now + left, now);
      expect({ left, delay }).toEqual({ left, delay: Math.max(delay, previous) });
      previous = delay;
    }
    expect(refreshDelayMs(now + 600_001, now) - refreshDelayMs(now + 600_000, now)).toBe(1);
    expect(refreshDelayMs(undefined, now)).toBe(300_000);
  });
});
