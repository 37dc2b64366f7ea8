// docs/tinkex.md "Regularizers", verbatim; test/docs/regularizers.test.ts runs it against the emulator.
import { ServiceClient } from 'tinkex';
import { entropy, l2, withRegularizers } from 'tinkex/regularizers';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
const tokenizer = await training.getTokenizer();
const tokens = tokenizer.encode('The quick brown fox jumps over the lazy dog.', {
  add_special_tokens: false,
});
const datum = {
  model_input: { chunks: [{ tokens: tokens.slice(0, -1) }] },
  loss_fn_inputs: { target_tokens: { data: tokens.slice(1), dtype: 'int64' as const } },
};
// Each regularizer reports its value and contribution as an event on the kernel's bus.
service.kernel.events.on('x:tinkex:regularizer:compute:stop', (e) => {
  console.log(`${e.regularizer_name}: ${e.value.toFixed(3)} × ${e.weight}`);
});
// The base loss: negative log-likelihood, with its exact gradient d loss / d logprobs = −1.
const nll = (_data: unknown, logprobs: number[][]) => ({
  loss: -logprobs.flat().reduce((a, b) => a + b, 0),
  grads: logprobs.map((row) => row.map(() => -1)),
});
const loss = withRegularizers(nll, {
  regularizers: [
    { name: 'l2', weight: 0.01, fn: l2({ target: 'logprobs', reduction: 'mean' }) },
    { name: 'entropy', weight: 0.1, fn: entropy({ mode: 'minimize' }) },
  ],
  events: service.kernel.events,
});
const out = await training.forwardBackwardCustom([datum], loss);
await training.optimStep({ learning_rate: 1e-4 });
console.log(`loss_total: ${out.metrics.loss_total.toFixed(3)}`);
await service.close();
