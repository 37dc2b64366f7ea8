import { afterEach, describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../src/index.js';
import { E2E_MODES, setup, TEXT, textDatum, bytes } from './harness.js';

// Each test drives a whole emulator run (three protocol modes); generous on a shared, busy machine.

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** 20 pipelined forwardBackward + optimStep rounds; returns the losses. */
async function train(
  training: Awaited<ReturnType<Awaited<ReturnType<typeof setup>>['service']['createLoraTrainingClient']>>,
  steps = 20,
) {
  const futures = [];
  const optimSteps = [];
  for (let i = 0; i < steps; i++) {
    futures.push(training.forwardBackward([textDatum(TEXT)], 'cross_entropy'));
    optimSteps.push(training.optimStep({ learning_rate: 1e-4 }));
  }
  const results = await Promise.all(futures);
  // The last optim_step settles after the last forward_backward: await it before reading applied steps.
  await Promise.all(optimSteps);
  return results.map((r) => r.metrics['loss:mean']);
}

describe.each(E2E_MODES)('Tinkex against the emulator (%s)', (mode) => {
  it('trains with pipelined steps, halving the loss, each step applied exactly once and in order', async () => {
    const env = await setup({}, {}, mode);
    cleanup = env.close;
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    expect(training.model_id).toMatch(/:train:0$/);
    const losses = await train(training);
    expect(losses[19]).toBeLessThan(losses[0] * 0.5);
    expect(env.emulator.state.appliedSteps(training.model_id)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
  });

  it('saves state and resumes with the optimizer to the identical loss', async () => {
    const env = await setup({}, {}, mode);
    cleanup = env.close;
    const a = await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
    await train(a, 5);
    const saved = await a.saveState('mid');
    expect(saved.path).toBe(`tinker://${a.model_id}/weights/mid`);
    const continued = await train(a, 3);
    const b = await env.service.createTrainingClientFromStateWithOptimizer(saved.path);
    expect(b.model_id).not.toBe(a.model_id);
    const resumed = await train(b, 3);
    expect(resumed).toEqual(continued);
  });

  it('samples, streams and computes logprobs from the trained weights', async () => {
    const env = await setup({}, {}, mode);
    cleanup = env.close;
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    await train(training);
    const sampler = await training.saveWeightsAndGetSamplingClient();
    const prompt = bytes('The quick');
    const response = await sampler.sample({
      prompt,
      num_samples: 2,
      sampling_params: { max_tokens: 10, temperature: 0 },
      include_prompt_logprobs: true,
      topk_prompt_logprobs: 3,
    });
    expect(response.sequences).toHaveLength(2);
    expect(Buffer.from(response.sequences[0].tokens).toString()).toBe(' brown fox');
    expect(response.prompt_logprobs?.[0]).toBeNull();
    expect(response.topk_prompt_logprobs?.[1]).toHaveLength(3);
    const streamed: number[] = [];
    let done = false;
    for await (const chunk of sampler.sampleStream({
      prompt,
      sampling_params: { max_tokens: 10, temperature: 0 },
    })) {
      if (chunk.type === 'token') streamed.push(chunk.token);
      else done = true;
    }
    expect(Buffer.from(streamed).toString()).toBe(' brown fox');
    expect(done).toBe(true);
    const logprobs = await sampler.computeLogprobs(prompt);
    expect(logprobs).toHaveLength(prompt.length);
    expect(logprobs[0]).toBeNull();
    expect(await sampler.getBaseModel()).toBe('meta-llama/Llama-3.2-1B');
    const tokenizer = await training.getTokenizer();
    expect(tokenizer.decode(tokenizer.encode('héllo'))).toBe('héllo');
  });

  it('rejects bad input with ValidationError before any request is sent', async () => {
    const env = await setup({}, {}, mode);
    cleanup = env.close;
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    const before = env.emulator.state.requests.length;
    const good = textDatum('abcd');
    const cases: Array<() => unknown> = [
      () =>
        training.forwardBackward(
          [
            {
              ...good,
              loss_fn_inputs: {
                ...good.loss_fn_inputs,
                target_tokens: { ...good.loss_fn_inputs.target_tokens, dtype: 'float64' as never },
              },
            },
          ],
          'cross_entropy',
        ),
      () =>
        training.forwardBackward(
          [
            {
              ...good,
              loss_fn_inputs: {
                ...good.loss_fn_inputs,
                weights: { data: [1, 1, 1], dtype: 'float32', shape: [4] },
              },
            },
          ],
          'cross_entropy',
        ),
      () =>
        training.forwardBackward(
          [{ model_input: good.model_input, loss_fn_inputs: { weights: good.loss_fn_inputs.weights } }],
          'cross_entropy',
        ),
      () => training.loadState('s3://bucket/weights'),
      () => env.service.createRestClient().getTrainingRunByTinkerPath('tinker://only-two'),
    ];
    for (const run of cases) {
      const error = await Promise.resolve()
        .then(run)
        .catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
    }
    expect(env.emulator.state.requests.length).toBe(before);
  });
});
