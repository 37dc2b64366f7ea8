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

  it('keeps the 300 s lead from 600 s left up, half-way below, continuous at the boundary', () => {
    const now = 1_700_000_000_000;
    expect(refreshDelayMs(now + 3_600_000, now)).toBe(3_300_000);
    expect(refreshDelayMs(now + 601_000, now)).toBe(301_000);
    expect(refreshDelayMs(now + 600_000, now)).toBe(300_000);
    expect(refreshDelayMs(now + 305_000, now)).toBe(152_500);
    expect(refreshDelayMs(now + 300_000, now)).toBe(150_000);
    expect(refreshDelayMs(now + 299_999, now)).toBe(149_999.5);
    // Either side of the boundary the delay moves by the same amount as the time left: no jump.
    expect(refreshDelayMs(now + 600_001, now) - refreshDelayMs(now + 600_000, now)).toBe(1);
    expect(refreshDelayMs(now + 600_000, now) - refreshDelayMs(now + 599_998, now)).toBe(1);
  });
});
