import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ValidationError, type TrainingClient } from '../../src/index.js';
import { describeInModes, E2E_MODES, setup, type E2EMode } from './harness.js';

/**
 * Found by hand: a misspelt option was dropped and the call went on without it, so the caller believed
 * a setting was made that was not: `createLoraTrainingClient({ rnk: 4 })` trained at rank 32,
 * `saveState('a', { ttl_second: 5 })` kept the checkpoint forever, `loadState(path, { weights_acess_token })`
 * loaded without the token. (The Python SDK's keyword arguments raise a TypeError for each.) Each is now a
 * ValidationError naming the key, rule `additionalProperties`, before anything is sent; and a `null`
 * options argument rejects the call's future instead of throwing where it is called.
 */
const PATH = 'tinker://run-1/weights/a';

for (const mode of E2E_MODES as readonly E2EMode[])
  describeInModes([mode], `a misspelt option (${mode})`, () => {
    let env: Awaited<ReturnType<typeof setup>>;
    let training: TrainingClient;

    beforeAll(async () => {
      env = await setup({}, {}, mode);
      training = await env.service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 4,
      });
    });
    afterAll(() => env.close());

    // [method, the refused key's pointer, the nearest valid name the message suggests (none if not close)]
    const calls: [string, string, string | undefined, () => PromiseLike<unknown>][] = [
      [
        'createLoraTrainingClient',
        '/rnk',
        'rank',
        () =>
          env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rnk: 4 } as never),
      ],
      [
        'createTrainingClientFromState',
        '/base_modl',
        'base_model',
        () => env.service.createTrainingClientFromState(PATH, { base_modl: 'x' } as never),
      ],
      [
        'createSamplingClient',
        '/retry_cfg',
        undefined,
        () =>
          env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B', retry_cfg: {} } as never),
      ],
      ['saveState', '/ttl_second', 'ttl_seconds', () => training.saveState('a', { ttl_second: 5 } as never)],
      [
        'saveWeightsForSampler',
        '/ttl',
        undefined,
        () => training.saveWeightsForSampler('b', { ttl: 5 } as never),
      ],
      [
        'loadState',
        '/weights_acess_token',
        'weights_access_token',
        () => training.loadState(PATH, { weights_acess_token: 'tml-x' } as never),
      ],
    ];

    it.each(calls)('%s refuses %s by name before anything is sent', async (_name, pointer, hint, call) => {
      const sent = env.emulator.requestLog().length;
      const error = await Promise.resolve()
        .then(call)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        expect.objectContaining({ pointer, rule: 'additionalProperties' }),
      ]);
      // The kernel's unknown-key check (OptionChecks.only): the nearest valid name, when one is close.
      if (hint) expect((error as ValidationError).message).toContain(`(did you mean "${hint}"?)`);
      else expect((error as ValidationError).message).not.toContain('did you mean');
      expect(env.emulator.requestLog().length).toBe(sent);
    });

    it('a null options argument rejects the future, never throws where it is called', async () => {
      let saving: PromiseLike<unknown> | undefined;
      expect(() => (saving = training.saveState('a', null as never))).not.toThrow();
      await expect(saving).rejects.toBeInstanceOf(ValidationError);
      let sampler: PromiseLike<unknown> | undefined;
      expect(() => (sampler = training.saveWeightsForSampler('a', null as never))).not.toThrow();
      await expect(sampler).rejects.toBeInstanceOf(ValidationError);
    });
  });
