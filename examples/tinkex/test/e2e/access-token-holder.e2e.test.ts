import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock, Ports } from 'pristine-kernel';
import { ServiceClient } from '../../src/index.js';
import { decodeJwtClaims } from '../../src/protocol/jwt.js';
import { forwardingProxy } from '../support/forwarding-proxy.js';
import { API_KEY, setup, textDatum, type E2EMode } from './harness.js';

/**
 * The session-less holder `createTrainingClientFromState(path, { weights_access_token })` builds for
 * its `weights_info` (`client/access-token-holder.ts`), seen from the server: which requests carry the
 * token (or the JWT exchanged for it), while the call is held at a proxy and after it. The emulator and
 * the caller share a FakeClock, so the holder's timers (JWT refresh, dynamic config) run only when the
 * test moves time.
 */
const OWNER_KEY = 'tml-e2e-owner-account-key-0123';
const accounts = { [API_KEY]: 'caller', [OWNER_KEY]: 'owner' };

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** An emulator on `clock`'s time, the owner's checkpoint, and the caller's client (on `clock`) at `url`. */
async function ownerCheckpoint(mode: E2EMode, clock: FakeClock, options: { jwtTtlSeconds?: number } = {}) {
  const env = await setup(
    { accounts, now: () => clock.now(), dynamicConfig: { refresh_interval_sec: 10 }, ...options },
    {},
    mode,
  );
  cleanups.push(env.close);
  // The owner works on real time and is gone before the test moves the clock.
  const owner = new ServiceClient({
    api_key: OWNER_KEY,
    base_url: env.emulator.url,
    telemetry: false,
    env: {},
  });
  const training = await owner.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 4 });
  await training.forwardBackward([textDatum('owner data')], 'cross_entropy');
  const { path } = await training.saveState('shared');
  await owner.close();
  const caller = (url: string) => {
    const service = new ServiceClient({
      api_key: API_KEY,
      base_url: url,
      telemetry: false,
      log_level: 'off',
      env: {},
      configureKernel: (kernel) => kernel.register(Ports.Clock, clock),
    });
    cleanups.push(() => service.close());
    return service;
  };
  return { env, path, caller };
}

/** Whether a logged request carried the owner's key or a JWT of the owner's account. */
const asOwner = (e: { headers: Record<string, string | string[] | undefined> }) => {
  const key = String(e.headers['x-api-key'] ?? '');
  return key === OWNER_KEY || (decodeJwtClaims(key)?.sub ?? '').endsWith(':owner');
};
const route = (e: { path: string }) => e.path.replace(/\?.*$/, '').replace('/api/v1/', '');

// One mode: the JWT exchange is what gives the holder a timer of its own to leave running (and a
// handshake of three requests the forced-legacy mutant skips); the other modes' holder has none.
describe('the weights_access_token holder (v025 with JWT exchange)', () => {
  it('shakes hands with the token in the negotiated protocol, asks dynamic_config once, and leaves nothing running', async () => {
    const clock = new FakeClock(Date.now());
    // 120 s tokens: the holder's JWT would be refreshed 60 s after its exchange (half-way).
    const { env, path, caller } = await ownerCheckpoint('v025-jwt-zstd', clock, { jwtTtlSeconds: 120 });
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const proxy = await forwardingProxy(env.emulator.url, (req) => {
      if (!req.url?.endsWith('/weights_info')) return false;
      arrived();
      return released;
    });
    cleanups.push(proxy.close);
    const service = caller(proxy.url);
    const before = env.emulator.requestLog().length;
    const resumed = service.createTrainingClientFromState(path, { weights_access_token: OWNER_KEY });
    // weights_info is in flight for 30 s of the clock: three of the dynamic config's 10 s intervals.
    await reached;
    await clock.advance(30_000);
    release();
    const training = await resumed;
    const holder = () => env.emulator.requestLog().slice(before).filter(asOwner).map(route);
    expect(holder()).toEqual(['client/config', 'auth/token', 'client/dynamic_config', 'weights_info']);
    // Past the holder's JWT refresh (and another minute of dynamic config): it was closed with its call.
    await clock.advance(120_000);
    await training.getInfo(); // a round trip, for anything the clock started to reach the server
    expect(holder()).toHaveLength(4);
  });
});

// One mode: the token is a JWT key, accepted as is; the JWT exchange and legacy JSON add nothing here.
describe('the weights_access_token holder’s clock', () => {
  it('is the kernel’s: a JWT valid on the injected clock is sent, whatever the wall clock says', async () => {
    // The client's and the server's time is two hours behind the wall clock: the owner's one-hour JWT
    // is valid for both, and an hour past its `exp` by Date.now.
    const clock = new FakeClock(Date.now() - 2 * 3_600_000);
    const { env, path, caller } = await ownerCheckpoint('v025', clock);
    const token = await env.emulator.issueJwt(3_600, 'owner');
    const before = env.emulator.requestLog().length;
    const training = await caller(env.emulator.url).createTrainingClientFromState(path, {
      weights_access_token: token,
    });
    expect(training.model_id).toMatch(/:train:0$/);
    const info = env.emulator
      .requestLog()
      .slice(before)
      .filter((e) => route(e) === 'weights_info');
    expect(info.map((e) => [e.status, e.headers['x-api-key']])).toEqual([[200, token]]);
  });
});
