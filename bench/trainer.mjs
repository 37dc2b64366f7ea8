// A Tinkex training client of a bench emulator, and the datums the training rows send.
import { benchClient } from './tinkex-client.mjs';

const TEXT = [...Buffer.from('The quick brown fox jumps over the lazy dog. ')];

/** A next-token datum over the first `length` bytes of a fixed sentence (45 tokens by default). */
export const datumOf = (length = TEXT.length) => {
  const tokens = TEXT.slice(0, length);
  return {
    model_input: { chunks: [{ tokens: tokens.slice(0, -1) }] },
    loss_fn_inputs: { target_tokens: { data: tokens.slice(1), dtype: 'int64' } },
  };
};

/**
 * A training client of the emulator at `url`; `run(data, steps)` pipelines `steps` forward_backward +
 * optim_step pairs (all submitted at once, then awaited) and answers steps per second.
 */
export async function trainer(url, options) {
  const service = benchClient(url, options);
  const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
  const run = async (data, steps) => {
    const start = performance.now();
    const futures = [];
    for (let i = 0; i < steps; i++) {
      futures.push(training.forwardBackward(data, 'cross_entropy'));
      futures.push(training.optimStep({ learning_rate: 1e-4 }));
    }
    await Promise.all(futures);
    return steps / ((performance.now() - start) / 1000);
  };
  return { run, protocol: service.protocol.mode, close: () => service.close() };
}
