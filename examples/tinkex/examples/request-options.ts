// docs/tinkex.md "Per-call options", verbatim; test/docs/request-options.test.ts runs it against the emulator.
import { APIUserAbortError, ServiceClient } from 'tinkex';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
const rest = service.createRestClient();
// A bound on the whole call, retries, backoff and polling included: else APITimeoutError.
const { training_runs } = await rest.listTrainingRuns({ limit: 5 }, { timeoutMs: 10_000 });
console.log(`runs: ${training_runs.length}`);

// One controller for a whole job (say, Ctrl-C): every call given its signal stops at once.
const job = new AbortController();
const training = await service.createLoraTrainingClient(
  { base_model: 'tinkex/byte-tiny' },
  { signal: job.signal },
);
const step = training.optimStep({ learning_rate: 1e-4 }, { signal: job.signal });
job.abort();
try {
  await step;
} catch (error) {
  console.log(error instanceof APIUserAbortError ? 'aborted' : error);
}
// The client goes on: later calls (without that signal) run in order.
await training.optimStep({ learning_rate: 1e-4 });
console.log('next step done');
await service.close();
