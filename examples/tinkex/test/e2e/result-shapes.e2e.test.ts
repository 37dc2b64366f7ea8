import { afterEach, expect, it } from '@jest/globals';
import { bytes, describeInModes, setup, textDatum, type E2EMode } from './harness.js';

/**
 * Found by hand (round 25): a legacy JSON sample omitted `prompt_logprobs` and `topk_prompt_logprobs`
 * when they were not asked for, where 0.25 gave `null` (the Python SDK gives `None` in both). Issue 12:
 * a result decodes to the same public type in every protocol, so user code (`'prompt_logprobs' in r`,
 * `r.x === null`, `toEqual` in a user's tests, JSON written to disk) does not change with it. Compares
 * the shape (every key present, and whether its value is null, undefined, an array, a number…) of
 * each result across the three modes in one test, so it is about all of them together.
 */
type Shape = string | Shape[] | { [key: string]: Shape };

/** The shape of `value`: keys (own, enumerable, undefined ones included) and the kind of each value. */
function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.map(shapeOf);
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value).map((k) => [k, shapeOf((value as Record<string, unknown>)[k])]),
    );
  return typeof value;
}

const MODES: readonly E2EMode[] = ['v025', 'v025-jwt-zstd', 'legacy'];

describeInModes(MODES, 'results have one shape in every protocol', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function resultsIn(mode: E2EMode) {
    const env = await setup({}, {}, mode);
    closers.push(env.close);
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 4 });
    const sampler = await training.saveWeightsAndGetSamplingClient();
    const prompt = bytes('hello');
    return {
      plain: await sampler.sample({ prompt, sampling_params: { max_tokens: 3, seed: 1 }, num_samples: 2 }),
      prompt: await sampler.sample({
        prompt,
        sampling_params: { max_tokens: 2, seed: 1, stop: ['zz'] },
        include_prompt_logprobs: true,
        topk_prompt_logprobs: 2,
      }),
      forwardBackward: await training.forwardBackward([textDatum('ab'), textDatum('abc')], 'cross_entropy'),
      forward: await training.forward([textDatum('ab')], 'cross_entropy'),
      optim: await training.optimStep({ learning_rate: 1e-4 }),
    };
  }

  it('sample, forward, forwardBackward and optimStep results have the same keys and null-ness', async () => {
    const shapes = await Promise.all(MODES.map(async (mode) => shapeOf(await resultsIn(mode))));
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
  });
});
