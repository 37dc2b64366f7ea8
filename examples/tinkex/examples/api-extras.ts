// docs/tinkex.md "Tokens, sparse and audio inputs, health", verbatim; test/docs/api-extras.test.ts runs it.
import { ModelInput, ServiceClient, dmelChunk, toSparseCsr } from 'tinkex';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
console.log('health:', (await service.healthCheck()).status);
const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });

// Tokens: the model's tokenizer, loaded once per client.
const tokens = await training.encode('The quick brown fox');
console.log('round trip:', await training.decode(tokens));
const prompt = ModelInput.fromText(await training.getTokenizer(), 'The quick');

// A sparse loss input: only the last two targets weigh (CSR: values, row offsets, columns).
const weights = toSparseCsr([0, 0, 0, 0, 1, 1], 'float32');
const datum = {
  model_input: ModelInput.fromInts(tokens.slice(0, 6)).toJSON(),
  loss_fn_inputs: { target_tokens: { data: tokens.slice(1, 7), dtype: 'int64' as const }, weights },
};
await training.forwardBackward([datum], 'cross_entropy');

// An audio chunk: TensorContainer bytes (dtype byte, rank, dims…, payload); its length is dims[0].
const audio = dmelChunk(Uint8Array.from([1, 2, 3, 80, 0, 0, 0, 0]));
console.log('audio tokens:', ModelInput.empty().append(audio).length);

// The server's prompt cache: a repeated prefix is reported per response.
const sampler = await training.saveWeightsAndGetSamplingClient();
const params = { max_tokens: 4, seed: 1 };
await sampler.sample({ prompt, sampling_params: params });
const again = await sampler.sample({ prompt, sampling_params: params });
console.log('cached prompt tokens:', again.prompt_cache_hit_tokens === prompt.length);

await training.unloadModel(); // frees the model on the server; later calls for it are 404s
await service.close();
