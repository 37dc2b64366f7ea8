// docs/tinkex.md "Custom losses", verbatim; test/docs/guide-snippets.test.ts runs it against the emulator.
import { ServiceClient } from 'tinkex';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
const tokens = await training.encode('The quick brown fox');
const data = [
  {
    model_input: { chunks: [{ tokens: tokens.slice(0, -1) }] },
    loss_fn_inputs: { target_tokens: { data: tokens.slice(1), dtype: 'int64' as const } },
  },
];

// Return your own gradients d loss / d logprobs …
const manual = await training.forwardBackwardCustom(data, (data, logprobs) => ({
  loss: -logprobs.flat().reduce((a, b) => a + b, 0),
  grads: logprobs.map((lp) => lp.map(() => -1)),
}));
// … or let @tensorflow/tfjs-core (optional peer dependency) differentiate for you.
const auto = await training.forwardBackwardCustom(data, {
  autodiff: (data, logprobs, tf) => tf.neg(tf.addN(logprobs.map((lp) => tf.sum(lp)))),
});
console.log('custom_loss:sum', manual.metrics['custom_loss:sum'], auto.metrics['custom_loss:sum']);
await service.close();
