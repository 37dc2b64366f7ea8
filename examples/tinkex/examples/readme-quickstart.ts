// The README's Tinkex quickstart, verbatim; test/docs/readme.test.ts runs it and checks the README matches.
import { ServiceClient } from 'tinkex';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 16 });
const tokenizer = await training.getTokenizer();
const tokens = tokenizer.encode('The quick brown fox jumps over the lazy dog.', {
  add_special_tokens: false,
});
const datum = {
  model_input: { chunks: [{ tokens: tokens.slice(0, -1) }] },
  loss_fn_inputs: { target_tokens: { data: tokens.slice(1), dtype: 'int64' as const } },
};
for (let step = 0; step < 20; step++) {
  training.forwardBackward([datum], 'cross_entropy'); // submitted in order, not awaited
  training.optimStep({ learning_rate: 1e-4 });
}
const sampler = await training.saveWeightsAndGetSamplingClient();
const { sequences } = await sampler.sample({
  prompt: tokenizer.encode('The quick'),
  sampling_params: { max_tokens: 16 },
});
for (const { tokens: sampled } of sequences) console.log(tokenizer.decode(sampled));
await service.close();
