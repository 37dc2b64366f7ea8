// docs/tinkex.md "Checkpoint download", verbatim; test/docs/guide-snippets.test.ts runs it against the emulator.
import { ServiceClient, downloadCheckpoint } from 'tinkex';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
const { path } = await training.saveState('step-100'); // tinker://<run>/weights/step-100

let received = 0;
const { destination, files } = await downloadCheckpoint(service.createRestClient(), path, {
  output_dir: './models', // the parent; created when missing
  onProgress: ({ downloadedBytes }) => (received = downloadedBytes),
});
// destination = <abs>/models/<run>_weights_step-100
console.log(destination);
console.log(`${files.length} files, ${received} bytes: ${files.join(', ')}`);
await service.close();
