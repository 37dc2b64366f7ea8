// docs/tinkex.md "Default options for a whole job", verbatim; test/docs/with-options.test.ts runs it against the emulator.
import { APIUserAbortError, ServiceClient } from 'tinkex';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
// One controller for the whole job (say, Ctrl-C), and a view of the client whose every call takes it.
const job = new AbortController();
const jobService = service.withOptions({ signal: job.signal, timeoutMs: 120_000 });
// Clients a view creates take its defaults too: no `{ signal }` on each call, no `undefined` to reach it.
const training = await jobService.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny' });
const tokens = [...Buffer.from('The quick brown fox')];
const datum = {
  model_input: { chunks: [{ tokens: tokens.slice(0, -1) }] },
  loss_fn_inputs: { target_tokens: { data: tokens.slice(1), dtype: 'int64' as const } },
};

const futures = [];
for (let step = 0; step < 5; step++) {
  futures.push(training.forwardBackward([datum], 'cross_entropy'));
  futures.push(training.optimStep({ learning_rate: 1e-4 }));
  // A call's own options join the defaults: its timeoutMs wins, and either signal aborts it.
  futures.push(training.saveState(`step-${step}`, {}, { timeoutMs: 600_000 }));
  if (step === 2) job.abort(); // mid-loop: every call of the view still pending rejects at once
}
const outcomes = await Promise.allSettled(futures);
const settled = outcomes.every((o) => o.status === 'fulfilled' || o.reason instanceof APIUserAbortError);
console.log(settled ? 'every future settled' : outcomes);

// The client itself was given no signal: it goes on, on the same session.
const { training_runs } = await service.createRestClient().listTrainingRuns();
console.log(`runs: ${training_runs.length}`);
await service.close(); // closing a view would close the same client
