// docs/tinkex.md "ServiceClient", verbatim; test/docs/guide-snippets.test.ts runs it against the emulator.
import { ServiceClient } from 'tinkex';

const service = new ServiceClient({
  api_key: process.env.TINKER_API_KEY ?? 'tml-…', // over TINKER_API_KEY, which is over the default
  base_url: process.env.TINKER_BASE_URL ?? 'http://127.0.0.1:8000',
  tags: ['docs'],
  user_metadata: { team: 'research' },
});
const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
console.log('model:', training.model_id);
await service.close();
