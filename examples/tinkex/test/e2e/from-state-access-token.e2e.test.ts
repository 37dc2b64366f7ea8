import { afterEach, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { CaptureLogger, Ports } from 'pristine-kernel';
import { ExpiredCredentialError, ServiceClient } from '../../src/index.js';
import {
  API_KEY,
  callsTo,
  describeInModes,
  E2E_MODES,
  MODE_PROTOCOL,
  setup,
  textDatum,
  type E2EMode,
} from './harness.js';

/** The owner's key, and a key of a third account (neither the caller's nor the owner's). */
const OWNER_KEY = 'tml-e2e-owner-account-key-0123';
const STRANGER_KEY = 'tml-e2e-stranger-account-key-01';
const accounts = { [API_KEY]: 'caller', [OWNER_KEY]: 'owner', [STRANGER_KEY]: 'stranger' };

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** An emulator with three accounts, the caller's ServiceClient (debug log captured) and the owner's checkpoint. */
async function twoAccounts(mode: E2EMode, flags: { create_model_via_load_weights?: boolean } = {}) {
  const logger = new CaptureLogger({ level: 'debug' });
  const env = await setup(
    { accounts, clientConfig: flags },
    { log_level: 'debug', configureKernel: (kernel) => kernel.register(Ports.Logger, logger) },
    mode,
  );
  cleanups.push(env.close);
  const owner = new ServiceClient({
    api_key: OWNER_KEY,
    base_url: env.emulator.url,
    protocol: MODE_PROTOCOL[mode],
    telemetry: false,
    log_level: 'off',
    env: {},
  });
  cleanups.push(() => owner.close());
  const training = await owner.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 4 });
  await training.forwardBackward([textDatum('owner data')], 'cross_entropy');
  const { path } = await training.saveState('shared');
  return { env, path, logger };
}

function expectNoSecret(value: unknown, logger: CaptureLogger, secret: string) {
  expect(inspect(value, { depth: 8 })).not.toContain(secret);
  expect(JSON.stringify(logger.records)).not.toContain(secret);
}

/**
 * `createTrainingClientFromState(path, { weights_access_token })` reads a checkpoint of another account
 * as the Python SDK does (tinker-python-sdk.md, "from_state flow"): `weights_info` through a session-less
 * client authenticated with the token, then `create_model` and `load_weights` carrying the token. The
 * emulator's `accounts` refuse another account's checkpoint to the caller's own key, so success proves
 * which credential went where.
 */
describe.each(E2E_MODES)('from state with a weights_access_token (%s)', (mode) => {
  it('is refused with the caller’s own key, and reads the owner’s checkpoint with the owner’s token', async () => {
    const { env, path, logger } = await twoAccounts(mode);
    await expect(env.service.createTrainingClientFromState(path)).rejects.toMatchObject({ status: 403 });

    const stranger = await env.service
      .createTrainingClientFromState(path, { weights_access_token: STRANGER_KEY })
      .catch((error: unknown) => error);
    expect(stranger).toMatchObject({ status: 403 });
    expectNoSecret(stranger, logger, STRANGER_KEY);

    const resumed = await env.service.createTrainingClientFromStateWithOptimizer(path, {
      weights_access_token: OWNER_KEY,
    });
    const out = await resumed.forwardBackward([textDatum('caller data')], 'cross_entropy');
    expect(out.loss_fn_outputs).toHaveLength(1);
    // weights_info went with the owner's credential (its key, or in JWT mode the JWT exchanged for it),
    // never with the caller's; load_weights went with the caller's and carried the token in its body.
    const info = callsTo(env, 'weights_info').at(-1)!;
    expect(info.status).toBe(200);
    expect(info.headers['x-api-key']).not.toBe(API_KEY);
    const load = callsTo(env, 'load_weights').at(-1)!;
    expect(load.body).toMatchObject({ path, optimizer: true, weights_access_token: OWNER_KEY });
    expectNoSecret(env.service, logger, OWNER_KEY);
  });
});

// One mode: the client refuses the token itself, before its holder sends anything, in every protocol.
describe('from state with a weights_access_token that is an expired JWT', () => {
  it('is refused naming weights_access_token (not the API key), and weights_info is not sent', async () => {
    const { env, path } = await twoAccounts('v025');
    const expired = ['{"alg":"none"}', JSON.stringify({ sub: 'owner', exp: 1_000 }), 'sig']
      .map((part, i) => (i < 2 ? Buffer.from(part).toString('base64url') : part))
      .join('.');
    const sent = callsTo(env, 'weights_info').length;
    const error = await env.service
      .createTrainingClientFromState(path, { weights_access_token: expired })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpiredCredentialError);
    expect(error).toMatchObject({ source: 'weights_access_token' });
    expect(callsTo(env, 'weights_info')).toHaveLength(sent);
  });
});

describeInModes(['v025', 'v025-jwt-zstd'], 'from state under create_model_via_load_weights', () => {
  for (const mode of E2E_MODES.filter((m) => m !== 'legacy'))
    it(`sends one load_weights with the token, and no weights_info or create_model (${mode})`, async () => {
      const { env, path, logger } = await twoAccounts(mode, { create_model_via_load_weights: true });
      const before = callsTo(env, 'weights_info').length;
      await expect(env.service.createTrainingClientFromState(path)).rejects.toMatchObject({ status: 403 });
      const resumed = await env.service.createTrainingClientFromState(path, {
        weights_access_token: OWNER_KEY,
      });
      expect(resumed.model_id).toMatch(/:train:\d+$/);
      expect(callsTo(env, 'weights_info')).toHaveLength(before);
      // The owner's model only.
      expect(callsTo(env, 'create_model')).toHaveLength(1);
      const loads = callsTo(env, 'load_weights').filter((c) => c.status === 200);
      expect(loads.at(-1)!.body).toMatchObject({ path, optimizer: false, weights_access_token: OWNER_KEY });
      expectNoSecret(env.service, logger, OWNER_KEY);
    });
});

/**
 * A weights_access_token is a credential (the Python SDK authenticates a client with it, whose auth
 * provider refuses anything but "tml-…" or "eyJ…" before sending): any other text is a ValidationError
 * naming the field, before anything is sent, never a 401 about "X-API-Key" the caller's own key passes.
 */
describe.each(E2E_MODES)('a weights_access_token that is not a credential (%s)', (mode) => {
  it('is refused by name before anything is sent, without echoing it', async () => {
    const { env, path, logger } = await twoAccounts(mode);
    const training = await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    const bad = 'wat-not-a-credential-0123';
    const sent = env.emulator.requestLog().length;
    const errors = await Promise.all(
      [
        env.service.createTrainingClientFromState(path, { weights_access_token: bad }),
        env.service.createTrainingClientFromStateWithOptimizer(path, { weights_access_token: bad }),
        training.loadState(path, { weights_access_token: bad }),
        training.loadStateWithOptimizer(path, { weights_access_token: bad }),
      ].map((call) =>
        Promise.resolve(call).then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    );
    for (const error of errors) {
      expect(error).toMatchObject({
        name: 'ValidationError',
        issues: [expect.objectContaining({ pointer: '/weights_access_token', rule: 'format' })],
      });
      expectNoSecret(error, logger, bad);
    }
    expect(env.emulator.requestLog().length).toBe(sent);
  });
});

/**
 * An empty `weights_access_token` is almost always an unset variable interpolated (`process.env.OWNER_TOKEN
 * ?? ''`). `loadState*` dropped it and loaded with the caller's own credential (a 403 about the
 * checkpoint, or the caller's own checkpoint of that name), while `createTrainingClientFromState*`
 * refused it: now every path refuses it by the same rule, before anything is sent.
 */
describe.each(E2E_MODES)('an empty weights_access_token (%s)', (mode) => {
  it('is refused by the same rule on every path, before anything is sent', async () => {
    const { env, path } = await twoAccounts(mode);
    const training = await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    const sent = env.emulator.requestLog().length;
    const calls: (() => PromiseLike<unknown>)[] = [
      () => env.service.createTrainingClientFromState(path, { weights_access_token: '' }),
      () => env.service.createTrainingClientFromStateWithOptimizer(path, { weights_access_token: '' }),
      () => training.loadState(path, { weights_access_token: '' }),
      () => training.loadStateWithOptimizer(path, { weights_access_token: '' }),
    ];
    const errors = await Promise.all(
      calls.map((call) =>
        Promise.resolve()
          .then(call)
          .then(
            () => undefined,
            (e: unknown) => e,
          ),
      ),
    );
    for (const error of errors) {
      expect(error).toMatchObject({
        name: 'ValidationError',
        issues: [
          { pointer: '/weights_access_token', rule: 'minLength', message: expect.stringContaining('empty') },
        ],
      });
    }
    expect(env.emulator.requestLog().length).toBe(sent);
  });
});
