// docs/tinkex.md "Futures", verbatim; test/docs/guide-snippets.test.ts runs it against the emulator.
import { ServiceClient } from 'tinkex';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
const tokens = await training.encode('The quick brown fox');
const datum = {
  model_input: { chunks: [{ tokens: tokens.slice(0, -1) }] },
  loss_fn_inputs: { target_tokens: { data: tokens.slice(1), dtype: 'int64' as const } },
};

// Each call returns its future at once; the requests go out in call order, pipelined.
const results = [];
for (let step = 0; step < 20; step++) {
  results.push(training.forwardBackward([datum], 'cross_entropy'));
  training.optimStep({ learning_rate: 1e-4 });
}
// metrics are a record by name: each read is `number | undefined` (the keys depend on the loss)
const losses = (await Promise.all(results)).map((r) => r.metrics['loss:sum']);
console.log(`loss: ${losses[0]?.toFixed(2)} → ${losses.at(-1)?.toFixed(2)}`);

const future = training.forward([datum], 'cross_entropy');
const requestId = await future.accepted; // the server has the request; its result may still be pending
const { metrics } = await future;
console.log('accepted:', requestId === future.request_id, 'loss:', (metrics['loss:sum'] ?? 0) > 0);
await service.close();
