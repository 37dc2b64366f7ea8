import { afterEach, describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../src/index.js';
import { bytes, callsTo, E2E_MODES, setup } from './harness.js';

/**
 * Found by hand (round 25): a mixed or negative `stop` list read every branch of its union (five lines,
 * one repeated). It now reads one issue, on the field, before anything is sent.
 */
describe.each(E2E_MODES)('a bad stop list (%s)', (mode) => {
  let env: Awaited<ReturnType<typeof setup>>;
  afterEach(async () => env.close());

  it('is one ValidationError issue naming the field and the rule, and nothing is sent', async () => {
    env = await setup({}, {}, mode);
    const sampler = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    const sample = (stop: unknown) =>
      sampler.sample({ prompt: bytes('hi'), sampling_params: { max_tokens: 2, stop: stop as string[] } });
    const issues = async (stop: unknown) => {
      const error = await sample(stop).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues;
    };
    expect(await issues([-1])).toEqual([
      { pointer: '/sampling_params/stop/0', rule: 'minimum', message: 'must be >= 0' },
    ]);
    const mixed = await issues(['a', 3]);
    expect(mixed).toHaveLength(1);
    expect(mixed[0]).toMatchObject({ pointer: '/sampling_params/stop', rule: 'anyOf' });
    expect(mixed[0].message).toMatch(/^must be a string, an array of strings or an array of integers ≥ 0/);
    expect(callsTo(env, 'asample')).toHaveLength(0);
  });
});
