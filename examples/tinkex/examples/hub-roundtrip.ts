// docs/tinkex.md "Hugging Face Hub", verbatim; test/docs/hub.test.ts runs it against the emulator and a fake Hub.
import { ServiceClient, getTokenizer, pushCheckpointToHub } from 'tinkex';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
const tokens = (await training.getTokenizer()).encode('Hello, Hub!', { add_special_tokens: false });
const datum = {
  model_input: { chunks: [{ tokens: tokens.slice(0, -1) }] },
  loss_fn_inputs: { target_tokens: { data: tokens.slice(1), dtype: 'int64' as const } },
};
for (let step = 0; step < 3; step++) {
  await training.forwardBackward([datum], 'cross_entropy');
  await training.optimStep({ learning_rate: 1e-4 });
}
const { path } = await training.saveState('hub-demo');

// Pushes to HF_ENDPOINT (default https://huggingface.co) with HF_TOKEN; a private repo unless `public: true`.
const pushed = await pushCheckpointToHub(service.createRestClient(), path, {
  onProgress: (p) => p.phase === 'committing' && console.log('committing…'),
});
console.log(`${pushed.repo_id}@${pushed.revision}: ${pushed.files.join(', ')}`);

// Not in the cache yet: downloaded from the Hub into $HF_HOME/hub (HF_HUB_OFFLINE=1 would refuse).
const qwen = await getTokenizer('Qwen/Qwen3-8B');
console.log(`Qwen/Qwen3-8B: ${qwen.encode('Hub', { add_special_tokens: false }).length} tokens`);
await service.close();
