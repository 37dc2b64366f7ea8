import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from 'pristine-kernel';
import {
  RecoveryMonitor,
  RequestFailedError,
  type RecoveredRun,
  type TrainingClient,
} from '../../src/index.js';
import { E2E_MODES, setup, TEXT, textDatum, type E2EMode } from './harness.js';

/**
 * A run corrupted mid-training is detected by the monitor, restarted from its last checkpoint with the
 * optimizer state, and training goes on: the loss curve after recovery is the uninterrupted run's from
 * the checkpoint step on, and no step is applied twice.
 */

const STEPS = 7;
const CHECKPOINT_STEP = 3;
const BASE = { base_model: 'meta-llama/Llama-3.2-1B', rank: 8 };

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function start(mode: E2EMode) {
  const env = await setup({ seed: 21 }, {}, mode);
  cleanups.push(env.close);
  return env;
}

/** One training step (forward_backward + optim_step); its forward_backward loss. */
async function step(client: TrainingClient): Promise<number> {
  const fb = client.forwardBackward([textDatum(TEXT)], 'cross_entropy');
  const optim = client.optimStep({ learning_rate: 1e-4 });
  const [out] = await Promise.all([fb, optim]);
  return out.metrics['loss:sum'];
}

/** Resolves with the first value `subscribe` delivers; a hang guard rejects after `ms` (generous). */
function first<T>(subscribe: (resolve: (value: T) => void) => () => void, ms = 20_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
    const off = subscribe((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

const hasDuplicates = (xs: number[]) => new Set(xs).size !== xs.length;

// 0.25 creates the new run with one load_weights; the JSON protocol with create_model + load_weights.
describe.each(E2E_MODES)('training-run recovery end to end (%s)', (mode) => {
  it('recovers a corrupted run from its last checkpoint; the loss curve continues as if uninterrupted', async () => {
    // The reference: the same seed, trained without interruption.
    const reference = await start(mode);
    const referenceClient = await reference.service.createLoraTrainingClient(BASE);
    const expected: number[] = [];
    for (let i = 0; i < STEPS; i++) expected.push(await step(referenceClient));

    const env = await start(mode);
    const clock = new FakeClock();
    const recovered: RecoveredRun[] = [];
    const monitor = new RecoveryMonitor(env.service, {
      clock,
      policy: { enabled: true, poll_interval_ms: 30_000, onRecovery: (r) => void recovered.push(r) },
    });
    cleanups.push(() => monitor.stop());
    const transitions: string[] = [];
    for (const name of ['detected', 'started', 'checkpoint_selected', 'client_created', 'completed'] as const)
      monitor.on(name, () => transitions.push(name));

    const original = await env.service.createLoraTrainingClient(BASE);
    expect(monitor.monitorRun(original.model_id, { client: original })).toBe('monitoring');
    const losses: number[] = [];
    for (let i = 0; i < CHECKPOINT_STEP; i++) losses.push(await step(original));
    const saved = await original.saveState(`step-${CHECKPOINT_STEP}`);
    // One more step after the checkpoint, then the run is corrupted: that step is lost with the run.
    losses.push(await step(original));
    const appliedBeforeCorruption = env.emulator.state.appliedSteps(original.model_id);

    // A healthy poll changes nothing.
    await clock.advance(30_000);
    expect(transitions).toEqual([]);

    env.emulator.setRunCorrupted(original.model_id);
    await expect(step(original)).rejects.toBeInstanceOf(RequestFailedError);
    expect(env.emulator.state.appliedSteps(original.model_id)).toEqual(appliedBeforeCorruption);

    const completed = first<RecoveredRun>((resolve) => monitor.on('completed', (e) => resolve(e)));
    await clock.advance(30_000);
    const recovery = await completed;
    expect(recovery.checkpoint.tinker_path).toBe(saved.path);
    expect(recovery.attempt).toBe(1);
    expect(recovery.metadata.client).toBe(original);
    expect(transitions).toEqual([
      'detected',
      'started',
      'checkpoint_selected',
      'client_created',
      'completed',
    ]);
    expect(recovered.map((r) => r.client)).toEqual([recovery.client]);
    expect(monitor.monitored).toEqual([]);
    expect(clock.pending).toBe(0);

    // Training goes on from the checkpoint: the losses are the reference's from step CHECKPOINT_STEP on.
    const resumed = recovery.client;
    expect(resumed.model_id).not.toBe(original.model_id);
    const after: number[] = [];
    for (let i = CHECKPOINT_STEP; i < STEPS; i++) after.push(await step(resumed));
    expect(losses).toEqual(expected.slice(0, CHECKPOINT_STEP + 1));
    expect(after).toEqual(expected.slice(CHECKPOINT_STEP));

    // No step applied twice: each run applied each seq_id once, and the corrupted run nothing after it broke.
    const oldApplied = env.emulator.state.appliedSteps(original.model_id);
    const newApplied = env.emulator.state.appliedSteps(resumed.model_id);
    expect(hasDuplicates(oldApplied) || hasDuplicates(newApplied)).toBe(false);
    expect(oldApplied).toEqual(appliedBeforeCorruption);
    const optimSteps = (model_id: string) =>
      env.emulator
        .requestLog()
        .filter((r) => r.path === '/api/v1/optim_step' && r.status === 200)
        .filter((r) => (r.body as { model_id: string }).model_id === model_id)
        .map((r) => (r.body as { seq_id: number }).seq_id);
    expect(hasDuplicates(optimSteps(resumed.model_id))).toBe(false);
    expect(optimSteps(resumed.model_id)).toHaveLength(STEPS - CHECKPOINT_STEP);
  });
});
