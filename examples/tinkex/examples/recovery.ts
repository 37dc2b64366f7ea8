// docs/tinkex.md "Recovery", verbatim; test/docs/recovery-telemetry.test.ts runs it against the emulator.
import { RecoveryMonitor, ServiceClient, type TrainingClient } from 'tinkex';

const service = new ServiceClient(); // reads TINKER_API_KEY and TINKER_BASE_URL
const datum = {
  model_input: { chunks: [{ tokens: [84, 104, 101] }] },
  loss_fn_inputs: { target_tokens: { data: [104, 101, 32], dtype: 'int64' as const } },
};
let training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });

let recovered!: (client: TrainingClient) => void;
const replacement = new Promise<TrainingClient>((resolve) => (recovered = resolve));
const monitor = new RecoveryMonitor(service, {
  policy: {
    enabled: true, // recovery is opt-in
    checkpoint_strategy: 'latest', // or { path: 'tinker://…' }
    restore_optimizer: true,
    onRecovery: ({ client, checkpoint }) => {
      console.log(`recovered from ${checkpoint.checkpoint_id}`);
      recovered(client);
    },
    onFailure: (run_id, error) => console.error(`could not recover ${run_id}: ${error}`),
  },
});
monitor.on('detected', () => console.log('run corrupted'));
monitor.monitorRun(training.model_id);

for (let step = 1; step <= 3; step++) {
  await training.forwardBackward([datum], 'cross_entropy');
  await training.optimStep({ learning_rate: 1e-4 });
}
await training.saveState('step-3');

// Only the emulator corrupts a run on demand (docs/emulator.md); the real service does it on its own.
await fetch(`${process.env.TINKER_BASE_URL}/_emulator/training_runs/${training.model_id}/corrupt`, {
  method: 'POST',
  headers: { 'x-api-key': process.env.TINKER_API_KEY! },
});
await monitor.pollNow(); // what the monitor does every poll_interval_ms (30 s)
training = await replacement;
const { metrics } = await training.forwardBackward([datum], 'cross_entropy');
console.log(`training goes on: ${Number.isFinite(metrics['loss:sum'])}`);
await monitor.stop(); // no timer left behind
await service.close();
