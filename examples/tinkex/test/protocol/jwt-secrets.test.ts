import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from 'pristine-kernel';
import { callsTo } from '../e2e/harness.js';
import { jwtEnv } from '../support/jwt-env.js';
import { RETIRED_SECRET_MS } from '../../src/protocol/tinker-protocol.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/**
 * Every JWT is a secret of the kernel (scrubbed from logs and errors). A long-lived client refreshing
 * short-lived tokens must not keep every token it ever had: the registry grew by one per refresh, and
 * every scrub matched against all of them.
 */
describe('JWT rotation over a long life', () => {
  it('forgets replaced tokens once long expired, and keeps scrubbing the live one', async () => {
    const { env, clock } = await jwtEnv(20, new FakeClock(Date.now()));
    cleanup.push(env.close);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    const secrets = env.service.kernel.getServices().secrets;
    const atStart = secrets.size;
    // 30 minutes of 20 s tokens, refreshed half-way: about 180 exchanges.
    for (let i = 0; i < 180; i++) {
      await clock.advance(10_000);
      await env.service.protocol.settled();
    }
    await training.getInfo();
    expect(callsTo(env, 'auth/token').length).toBeGreaterThanOrEqual(150);
    // Kept: the tokens that expired less than RETIRED_SECRET_MS ago (one per 10 s), and the live ones.
    expect(secrets.size - atStart).toBeLessThanOrEqual(RETIRED_SECRET_MS / 10_000 + 5);
    const live = env.service.protocol.currentJwt()!;
    expect(secrets.scrub(`sent ${live}`)).not.toContain(live);
  });
});
