import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ModelInput, type TrainingClient } from '../../src/index.js';
import { E2E_MODES, setup } from './harness.js';

/**
 * Found by hand, writing training loops the way the docs and the Python SDK's README do. Each datum is
 * a literal whose `model_input` is a `ModelInput` (Python: `Datum(model_input=ModelInput.from_ints(…))`):
 * the SDK sent it fine, but the declared type refused it (readonly chunks), so `tsc --strict` failed on
 * the canonical loop. This file is type-checked by `npm run typecheck`.
 */
describe.each(E2E_MODES)('a datum literal holding a ModelInput (%s)', (mode) => {
  let env: Awaited<ReturnType<typeof setup>>;
  let training: TrainingClient;

  beforeAll(async () => {
    env = await setup({}, {}, mode);
    training = await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
  });
  afterAll(() => env.close());

  it('type-checks and trains in forward, forwardBackward and forwardBackwardCustom', async () => {
    const tokens = [72, 101, 108, 108, 111] as const;
    const data = [
      {
        model_input: ModelInput.fromInts(tokens.slice(0, -1)),
        loss_fn_inputs: {
          target_tokens: { data: tokens.slice(1), dtype: 'int64' as const },
          weights: { data: [1, 1, 1, 1], dtype: 'float32' as const },
        },
      },
    ];
    const forward = await training.forward(data, 'cross_entropy');
    const step = await training.forwardBackward(data, 'cross_entropy');
    const custom = await training.forwardBackwardCustom(data, (_data, logprobs) => ({
      loss: 0,
      grads: logprobs.map((row) => row.map(() => 0)),
    }));
    expect(forward.loss_fn_outputs).toHaveLength(1);
    expect(step.metrics['loss:sum']).toBeCloseTo(forward.metrics['loss:sum']!, 6);
    expect(custom.loss_fn_outputs).toHaveLength(1);
  });
});
