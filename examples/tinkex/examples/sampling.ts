// docs/tinkex.md "SamplingClient", verbatim; test/docs/guide-snippets.test.ts runs it against the emulator.
import { ModelInput, ServiceClient } from 'tinkex';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
const tokenizer = await training.getTokenizer();
// Or service.createSamplingClient({ base_model }) for the base model, or ({ model_path }) for saved weights.
const sampler = await training.saveWeightsAndGetSamplingClient();
const tokens = tokenizer.encode('The quick brown', { add_special_tokens: false });

const out = await sampler.sample({
  prompt: ModelInput.fromInts(tokens),
  num_samples: 2,
  sampling_params: { max_tokens: 32, temperature: 0.7, top_p: 0.9, stop: ['\n'], seed: 1 },
  include_prompt_logprobs: true,
  topk_prompt_logprobs: 5,
});
console.log('samples:', out.sequences.length, 'prompt logprobs:', out.prompt_logprobs?.length);

const streamed: number[] = [];
for await (const chunk of sampler.sampleStream({ prompt: tokens, sampling_params: { max_tokens: 32 } })) {
  if (chunk.type === 'token') streamed.push(chunk.token); // as each token arrives
}
console.log('streamed tokens:', streamed.length, tokenizer.decode(streamed).length > 0);

const logprobs = await sampler.computeLogprobs(tokens); // [null, -1.2, …]
console.log('logprobs:', logprobs.length, logprobs[0]);
await service.close();
