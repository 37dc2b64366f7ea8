import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from 'pristine-kernel';
import { AuthenticationError } from '../../src/index.js';
import { callsTo } from '../e2e/harness.js';
import { jwtEnv } from '../support/jwt-env.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const calls = callsTo;

/**
 * JWT exchange with the client's clock behind the server's by `skewMs` (settable mid-test): the client
 * believes its token has time left while the server already refuses it, the case `TinkerAuth.renew`
 * recovers from. Both clocks advance together.
 */
async function skewedJwtEnv(ttlSeconds: number) {
  const made = await jwtEnv(ttlSeconds, new FakeClock(Date.now()));
  cleanup.push(made.env.close);
  return made;
}

describe('a JWT the server refuses before the client expected (401 "JWT expired")', () => {
  it('is exchanged anew and the request sent again: a training step and its poll succeed', async () => {
    const { env, clock, skew } = await skewedJwtEnv(3_600);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    expect(calls(env, 'auth/token')).toHaveLength(1);
    // The server's clock is now past the token's exp; the client's says 59 minutes are left.
    skew.ms = 3_601_000;
    await clock.advance(1_000);
    await expect(training.getInfo()).resolves.toMatchObject({ model_id: expect.stringMatching(/:train:0$/) });
    const getInfo = calls(env, 'get_info');
    expect(getInfo.map((e) => e.status)).toEqual([401, 200]);
    expect(getInfo[1].headers['x-api-key']).not.toBe(getInfo[0].headers['x-api-key']);
    // The sessionful holder exchanged once more; later requests carry the new token without a 401.
    await training.optimStep({ learning_rate: 1e-4 });
    expect(calls(env, 'optim_step').map((e) => e.status)).toEqual([200]);
    expect(calls(env, 'retrieve_future').every((e) => e.status === 200)).toBe(true);
  });

  it("is exchanged anew too after the client's wall clock was stepped back an hour (the token is not 'just issued')", async () => {
    const { env, clock, skew } = await skewedJwtEnv(3_600);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    // NTP steps the client's wall clock back an hour (the server's stays), and the server passes exp.
    clock.stepWall(-3_600_000);
    skew.ms = 3_600_000 + 3_601_000;
    await clock.advance(1_000);
    await expect(training.getInfo()).resolves.toMatchObject({ model_id: expect.stringMatching(/:train:0$/) });
    expect(calls(env, 'get_info').map((e) => e.status)).toEqual([401, 200]);
  });

  it('is answered with the 401 when a fresh token is refused too: one exchange more, no loop', async () => {
    // Every token this server issues is expired on arrival (a misconfigured server).
    const { env, clock } = await skewedJwtEnv(-5);
    const rest = env.service.createRestClient();
    await expect(rest.listTrainingRuns()).rejects.toBeInstanceOf(AuthenticationError);
    const exchanges = calls(env, 'auth/token').length;
    const requests = calls(env, 'training_runs').length;
    // A token under a second old is not renewed: the 401 stands at once.
    await expect(rest.listTrainingRuns()).rejects.toBeInstanceOf(AuthenticationError);
    expect(calls(env, 'auth/token').length - exchanges).toBe(0);
    expect(calls(env, 'training_runs').length - requests).toBe(1);
    // An older one is exchanged once, the request sent once more, and the second 401 is the answer.
    await clock.advance(1_000);
    await expect(rest.listTrainingRuns()).rejects.toBeInstanceOf(AuthenticationError);
    expect(calls(env, 'auth/token').length - exchanges).toBe(1);
    expect(calls(env, 'training_runs').length - requests).toBe(3);
  });
});

describe('a JWT refresh that fails (the auth service is down) while the token has under a minute left', () => {
  it('is tried again once per refresh gap, not by every request; the requests go on with the old token', async () => {
    // Found by hand: with a token near its expiry, every request ran the exchange again (and, with
    // `credential_default_source: credential_cmd`, the credential command), each logging "JWT refresh
    // failed; retrying in 60 s": 29 exchanges and warnings in 2 s for a loop of REST calls.
    const { env, clock } = await skewedJwtEnv(3_600);
    const rest = env.service.createRestClient();
    await rest.listTrainingRuns();
    expect(calls(env, 'auth/token')).toHaveLength(1);
    // A bare 400 (as a proxy in front of the auth service may send): not retried, so no backoff to wait.
    env.emulator.setChaos('400=1;scope=sessions');
    // 59 min 1 s: the background refresh (from 55 min) has failed; 59 s of the token are left.
    await clock.advance(3_541_000);
    await env.service.restProtocol.settled(); // the REST client's holder
    const before = calls(env, 'auth/token').length;
    for (let i = 0; i < 10; i++) {
      await rest.listTrainingRuns();
      await clock.advance(100);
    }
    expect(
      calls(env, 'training_runs')
        .slice(-10)
        .map((e) => e.status),
    ).toEqual(Array(10).fill(200));
    expect(calls(env, 'auth/token').length - before).toBeLessThanOrEqual(1);
  });
});

describe('a 401 while the auth service is down', () => {
  it('runs one exchange for the 401s of the same second, not one per refused request', async () => {
    const { env, clock, skew } = await skewedJwtEnv(3_600);
    const rest = env.service.createRestClient();
    await rest.listTrainingRuns();
    env.emulator.setChaos('400=1;scope=sessions');
    skew.ms = 3_601_000; // the server refuses the token; the client thinks it has 59 minutes left
    await clock.advance(2_000);
    const before = calls(env, 'auth/token').length;
    for (let i = 0; i < 5; i++) {
      await expect(rest.listTrainingRuns()).rejects.toBeInstanceOf(AuthenticationError);
      await clock.advance(100);
    }
    expect(calls(env, 'auth/token').length - before).toBe(1);
  });
});

describe('a background JWT refresh that fails', () => {
  it('is tried again in the background 60 s later (Python SDK), not sooner, with no request to prompt it', async () => {
    // Counted at the emulator: the background exchange has no public result of its own. No request is
    // made after the first, so each `auth/token` seen is the holder's timer (a request with under a
    // minute left would try on its own; at 55 min the token has five). A whole-second start: `exp` is
    // in whole seconds, so the refresh falls due exactly at 55 min, the end of the first `advance`.
    const { env, clock } = await jwtEnv(3_600, new FakeClock(Math.floor(Date.now() / 1000) * 1000));
    cleanup.push(env.close);
    await env.service.createRestClient().listTrainingRuns();
    const holder = env.service.restProtocol;
    expect(calls(env, 'auth/token')).toHaveLength(1);
    env.emulator.setChaos('400=1;scope=sessions'); // a bare 400: failed, and not retried by the kernel
    await clock.advance(3_300_000); // 55 min: the background refresh runs and fails
    await holder.settled();
    expect(calls(env, 'auth/token').map((e) => e.status)).toEqual([200, 400]);
    env.emulator.setChaos('');
    await clock.advance(59_999);
    await holder.settled();
    expect(calls(env, 'auth/token')).toHaveLength(2);
    await clock.advance(1);
    await holder.settled();
    expect(calls(env, 'auth/token').map((e) => e.status)).toEqual([200, 400, 200]);
  });
});
