import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, Ports } from 'pristine-kernel';
import { API_KEY, callsTo, setup } from '../e2e/harness.js';
import { jwtEnv as sharedClockJwtEnv } from '../support/jwt-env.js';
import { decodeJwtClaims } from '../../src/protocol/jwt.js';
import { ServiceClient, type ServiceClientInit, type WhoAmI } from '../../src/index.js';

// Each test drives a whole emulator run (three protocol modes); generous on a shared, busy machine.

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

type Env = Awaited<ReturnType<typeof setup>>;
const calls = callsTo;

/** A second client on an emulator that is already running (JWTs are signed per emulator). */
function clientOn(env: Env, options: ServiceClientInit): ServiceClient {
  const service = new ServiceClient({
    base_url: env.emulator.url,
    telemetry: false,
    log_level: 'off',
    env: {},
    ...options,
  });
  cleanup.push(() => service.close());
  return service;
}

describe('protocol negotiation', () => {
  it('a 404 on client/config selects the JSON protocol at once: one question, no retries, 0.7.0 bodies', async () => {
    const env = await setup({}, {}, 'legacy');
    cleanup.push(env.close);
    await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 2 });
    expect(env.service.protocol.mode).toBe('legacy');
    const log = env.emulator.requestLog();
    expect(log.map((e) => e.path).slice(0, 2)).toEqual(['/api/v1/client/config', '/api/v1/create_session']);
    expect(calls(env, 'create_session')[0].body).not.toHaveProperty('type');
    expect(calls(env, 'create_session')[0].headers['x-stainless-package-version']).not.toBe('0.25.0');
  });

  it('protocol: "legacy" skips the question; "v025" skips it too and speaks 0.25 with default flags', async () => {
    const legacy = await setup({}, { protocol: 'legacy' }, 'v025');
    cleanup.push(legacy.close);
    await legacy.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 2 });
    expect(calls(legacy, 'client/config')).toHaveLength(0);
    const v025 = await setup({}, { protocol: 'v025' }, 'v025');
    cleanup.push(v025.close);
    await v025.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 2 });
    expect(calls(v025, 'client/config')).toHaveLength(0);
    expect(v025.service.protocol.mode).toBe('v025');
  });

  it('honours the server flags: chunk length from client/config splits a forward_backward, first chunk last', async () => {
    const env = await setup({ clientConfig: { fwdbwd_max_chunk_len: 1 } }, {}, 'v025');
    cleanup.push(env.close);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    const { textDatum } = await import('../e2e/harness.js');
    const out = await training.forwardBackward(
      [textDatum('ab'), textDatum('cd'), textDatum('ef')],
      'cross_entropy',
    );
    expect(out.loss_fn_outputs).toHaveLength(3);
    const seqs = calls(env, 'forward_backward').map((e) => (e.body as { seq_id: number }).seq_id);
    expect([...seqs].sort()).toEqual([1, 2, 3]);
    expect(seqs.indexOf(1)).toBe(2); // the first chunk goes last (parallel_fwdbwd_chunks)
  });
});

describe('holders (tinker-wire-0.25.md §1–§2): one handshake per holder, not per ServiceClient', () => {
  const route = (e: { path: string }) => e.path.replace(/\?.*$/, '').replace('/api/v1/', '');

  it('capabilities, then training: the session-less holder shakes hands first, then the sessionful one', async () => {
    const env = await setup({ clientConfig: { pjwt_auth_enabled: true } }, {}, 'v025');
    cleanup.push(env.close);
    await env.service.getServerCapabilities();
    await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 2 });
    await env.service.createRestClient().listTrainingRuns();
    const sequence = env.emulator
      .requestLog()
      .map(route)
      .filter((r) => r !== 'retrieve_future');
    expect(sequence).toEqual([
      'client/config',
      'auth/token',
      'client/dynamic_config',
      'get_server_capabilities',
      'client/config',
      'auth/token',
      'client/dynamic_config',
      'create_session',
      'create_model',
      'training_runs', // the session-less holder is ready: no second handshake
    ]);
    expect(env.service.restProtocol.mode).toBe('v025');
    expect(env.service.protocol.mode).toBe('v025');
    // The session-less holder's dynamic_config carries its own JWT, not the API key.
    const dynamic = calls(env, 'client/dynamic_config');
    expect(dynamic.map((e) => e.headers['x-api-key'])).toEqual([
      expect.stringMatching(/^eyJ/),
      expect.stringMatching(/^eyJ/),
    ]);
  });

  it('only the sessionful holder refreshes the dynamic config', async () => {
    const clock = new FakeClock(Date.now());
    const env = await setup(
      { now: () => clock.now(), dynamicConfig: { refresh_interval_sec: 30 } },
      { configureKernel: (k) => k.register(Ports.Clock, clock) },
      'v025',
    );
    cleanup.push(env.close);
    await env.service.createRestClient().listTrainingRuns();
    await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 2 });
    expect(calls(env, 'client/dynamic_config')).toHaveLength(2);
    await clock.advance(30_000);
    expect(calls(env, 'client/dynamic_config')).toHaveLength(3);
    await clock.advance(30_000);
    expect(calls(env, 'client/dynamic_config')).toHaveLength(4);
  });

  it('a 404 on client/config makes both holders speak JSON, each asking once', async () => {
    const env = await setup({}, {}, 'legacy');
    cleanup.push(env.close);
    await env.service.getServerCapabilities();
    await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 2 });
    await env.service.getServerCapabilities();
    expect(calls(env, 'client/config')).toHaveLength(2);
    expect([env.service.restProtocol.mode, env.service.protocol.mode]).toEqual(['legacy', 'legacy']);
  });
});

describe('0.25 training surface', () => {
  it('create_model_via_load_weights: from-state is one load_weights addressed by session and model_seq_id', async () => {
    const env = await setup({ clientConfig: { create_model_via_load_weights: true } }, {}, 'v025');
    cleanup.push(env.close);
    const { textDatum } = await import('../e2e/harness.js');
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    const S = training.model_id.replace(/:train:0$/, '');
    const { path } = await training.saveState('ckpt');
    const resumed = await env.service.createTrainingClientFromStateWithOptimizer(path);
    expect(resumed.model_id).toBe(`${S}:train:1`);
    expect(calls(env, 'create_model')).toHaveLength(1);
    expect(calls(env, 'load_weights').at(-1)!.body).toEqual({
      session_id: S,
      model_seq_id: 1,
      path,
      optimizer: true,
      type: 'load_weights',
    });
    const out = await resumed.forwardBackward([textDatum('ab')], 'cross_entropy');
    expect(out.loss_fn_outputs).toHaveLength(1);
  });

  it('saveState(name, { overwrite }) replaces an existing checkpoint; without it the server refuses', async () => {
    const env = await setup({}, {}, 'v025');
    cleanup.push(env.close);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    await training.saveState('same');
    await expect(training.saveState('same')).rejects.toMatchObject({ category: 'user' });
    await expect(training.saveState('same', { overwrite: true })).resolves.toMatchObject({
      path: expect.stringContaining('same'),
    });
    expect(calls(env, 'save_weights').map((e) => (e.body as { overwrite: boolean }).overwrite)).toEqual([
      false,
      false,
      true,
    ]);
  });
});

describe('JWT exchange', () => {
  async function jwtEnv(ttlSeconds: number) {
    const { env, clock } = await sharedClockJwtEnv(ttlSeconds, new FakeClock(Date.now()));
    cleanup.push(env.close);
    return { env, clock };
  }

  it('refreshes 300 s before expiry on the injected clock, and later requests carry the new token', async () => {
    // 900 s: over twice the lead, so the lead applies (a shorter token is refreshed half-way).
    const { env, clock } = await jwtEnv(900);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    expect(calls(env, 'auth/token')).toHaveLength(1);
    const first = calls(env, 'create_session')[0].headers['x-api-key'];
    await clock.advance(599_000);
    await env.service.protocol.settled();
    expect(calls(env, 'auth/token')).toHaveLength(1);
    await clock.advance(1_500);
    await env.service.protocol.settled();
    expect(calls(env, 'auth/token')).toHaveLength(2);
    expect(calls(env, 'auth/token')[1].headers['x-api-key']).toBe(API_KEY);
    await training.getInfo();
    const latest = calls(env, 'get_info').at(-1)!.headers['x-api-key'];
    expect(latest).toMatch(/^eyJ/);
    expect(latest).not.toBe(first);
  });

  it('a short-lived JWT is renewed before it expires: every request of a minute is accepted', async () => {
    // Found by hand: with 5 s tokens the old 10 s floor let the token lapse, and the next call failed
    // with 401 "JWT expired" (never retried) 6 s after the exchange.
    const { env, clock } = await jwtEnv(5);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    for (let i = 0; i < 60; i++) {
      await clock.advance(1_000);
      await env.service.protocol.settled();
      await training.getInfo();
    }
    const answered = calls(env, 'get_info').map((e) => e.status);
    expect(answered).toHaveLength(60);
    expect(answered.filter((status) => status !== 200)).toEqual([]);
    // Half-way through each 5 s lifetime: about 24 exchanges a minute, never a loop.
    expect(calls(env, 'auth/token').length).toBeLessThanOrEqual(1 + 24 + 1);
  });

  it('never loops, however short the lifetime: a token expired on arrival is exchanged once per 10 s', async () => {
    const { env, clock } = await jwtEnv(-5);
    await env.service
      .createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 2 })
      .catch(() => undefined);
    const before = calls(env, 'auth/token').length;
    for (let i = 0; i < 60; i++) {
      await clock.advance(1_000);
      await env.service.protocol.settled();
    }
    expect(calls(env, 'auth/token').length - before).toBeLessThanOrEqual(6 + 1);
    expect(calls(env, 'auth/token').length - before).toBeGreaterThanOrEqual(5);
  });
});

describe('credentials', () => {
  it('TINKER_CREDENTIAL_CMD supplies the credential when no API key is set; its JWT output is reused until it expires', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tinkex-cred-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const counter = join(dir, 'runs');
    await writeFile(counter, '');
    const plain = await setup(
      {},
      { api_key: undefined, credential_cmd: `echo run >> ${counter}; echo ${API_KEY}` },
      'v025',
    );
    cleanup.push(plain.close);
    await plain.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 2 });
    expect(calls(plain, 'client/config')[0].headers['x-api-key']).toBe(API_KEY);
    expect(calls(plain, 'create_model')[0].headers['x-api-key']).toBe(API_KEY);
    const runsForKey = (await readFile(counter, 'utf8')).split('\n').filter(Boolean).length;
    expect(runsForKey).toBeGreaterThanOrEqual(2); // an opaque key is fetched anew when needed

    const jwt = await plain.emulator.issueJwt(3600);
    await writeFile(counter, '');
    const before = plain.emulator.requestLog().length;
    const withJwt = clientOn(plain, { credential_cmd: `echo run >> ${counter}; echo ${jwt}` });
    await withJwt.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 2 });
    const later = plain.emulator.requestLog().slice(before);
    expect(later.find((e) => e.path === '/api/v1/create_model')!.headers['x-api-key']).toBe(jwt);
    expect((await readFile(counter, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('an eyJ… key is accepted as a JWT, and whoami reads its claims', async () => {
    const env = await setup({}, {}, 'v025');
    cleanup.push(env.close);
    const jwt = await env.emulator.issueJwt(3600);
    const service = clientOn(env, { api_key: jwt });
    const me = await service.createRestClient().whoami();
    // The key's own claims (truthy alone held for any claim, or for another token's).
    const claims = decodeJwtClaims(jwt)!;
    expect(claims.sub).toEqual(expect.any(String));
    // Named as the Python SDK's WhoamiResponse names it (`user_urn`), so `me.user_urn` ports as is;
    // `user_id` (this SDK's first name for it) stays, deprecated.
    expect(me).toEqual({
      user_urn: claims.sub,
      user_id: claims.sub,
      email: claims.email,
      issuer: claims.iss,
    });
    const typed: WhoAmI = me;
    expect(typed.user_urn).toBe(claims.sub);
    expect(calls(env, 'client/config').at(-1)!.headers['x-api-key']).toBe(jwt);
    // An opaque tml- key has no claims: a typed error, not a request.
    await expect(env.service.createRestClient().whoami()).rejects.toThrow(/needs a JWT/);
  });
});
