import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { ValidationError, type SamplingClient, type TrainingClient } from '../../src/index.js';
import { API_KEY, DEFAULT_MODE, describeInModes, setup } from './harness.js';

/**
 * Found by hand (round 24): `getTokenizer(options)` of a training or sampling client sent `get_info` /
 * `get_sampler` before its Hub options were ever looked at: a misspelt key (`offine: true`) was
 * dropped, a NaN `timeoutMs` bounded nothing, and `null` was a TypeError. Client-side validation
 * only, so one protocol mode is enough.
 */
describeInModes([DEFAULT_MODE], 'getTokenizer options', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let training: TrainingClient;
  let sampler: SamplingClient;
  beforeAll(async () => {
    env = await setup({}, {}, DEFAULT_MODE);
    training = await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 4 });
    sampler = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
  });
  afterAll(() => env.close());

  const cases: [string, unknown, string, string][] = [
    ['a misspelt key', { offine: true }, '/offine', 'additionalProperties'],
    ['a NaN timeoutMs', { timeoutMs: Number.NaN }, '/timeoutMs', 'finite'],
    ['null', null, '', 'type'],
    ['a hubUrl that is no URL', { hubUrl: 'huggingface.co' }, '/hubUrl', 'format'],
    ['a token that is a number', { token: 5 }, '/token', 'type'],
    ['offline as text', { offline: 'yes' }, '/offline', 'type'],
  ];

  it.each(cases)('refuses %s by name before anything is sent', async (_name, options, pointer, rule) => {
    for (const client of [training, sampler]) {
      const sent = env.emulator.requestLog().length;
      const error = await client.getTokenizer(options as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([expect.objectContaining({ pointer, rule })]);
      expect(inspect(error)).not.toContain(API_KEY);
      expect(env.emulator.requestLog().length).toBe(sent);
    }
  });
});
