import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock } from 'pristine-kernel';
import {
  MissingCheckpointError,
  NotFoundError,
  RecoveryExecutor,
  RecoveryMonitor,
  recoveryBackoff,
  recoveryPolicy,
  ValidationError,
  type RecoveryEventMap,
  type RecoveryEventName,
} from '../../src/index.js';
import { setup } from '../e2e/harness.js';
import { expectMisspeltKey } from '../support/misspelt-key.js';

/** Monitor and executor against the emulator (real HTTP), their timers on a FakeClock. */

const BASE = { base_model: 'meta-llama/Llama-3.2-1B', rank: 8 };
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function start() {
  const env = await setup();
  cleanups.push(env.close);
  return { ...env, clock: new FakeClock() };
}

/** Every event of a monitor or executor, in order, as `name:run_id[:attempt]`. */
function record(source: { on: RecoveryExecutor['on'] }) {
  const seen: string[] = [];
  const names: RecoveryEventName[] = [
    'detected',
    'poll_error',
    'started',
    'checkpoint_selected',
    'client_created',
    'completed',
    'failed',
    'exhausted',
    'stopped',
  ];
  for (const name of names)
    source.on(name, (e: RecoveryEventMap[typeof name]) =>
      seen.push('attempt' in e ? `${name}:${e.attempt}` : name),
    );
  return seen;
}

/** Resolves on the next `name` event (hang guard: rejects after a generous deadline). */
function next<K extends RecoveryEventName>(source: { on: RecoveryExecutor['on'] }, name: K) {
  return new Promise<RecoveryEventMap[K]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event`)), 20_000);
    const off = source.on(name, (e) => {
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

describe('recoveryPolicy', () => {
  it('fills the Elixir defaults: off, 3 attempts, 5 s doubling to 60 s, poll 30 s, latest, optimizer', () => {
    expect(recoveryPolicy()).toEqual({
      enabled: false,
      max_attempts: 3,
      backoff_ms: 5_000,
      max_backoff_ms: 60_000,
      poll_interval_ms: 30_000,
      checkpoint_strategy: 'latest',
      restore_optimizer: true,
    });
    const policy = recoveryPolicy({ backoff_ms: 5_000, max_backoff_ms: 12_000 });
    expect([1, 2, 3, 4].map((n) => recoveryBackoff(policy, n))).toEqual([5_000, 10_000, 12_000, 12_000]);
  });

  it('refuses bad values with a ValidationError naming the field (no silent defaults)', () => {
    expect(() => recoveryPolicy({ max_attempts: 0 })).toThrow(ValidationError);
    expect(() => recoveryPolicy({ max_attempts: 1.5 })).toThrow(/max_attempts/);
    expect(() => recoveryPolicy({ backoff_ms: -1 })).toThrow(/backoff_ms/);
    expect(() => recoveryPolicy({ checkpoint_strategy: 'best' as never })).toThrow(/checkpoint_strategy/);
    expect(() => recoveryPolicy({ checkpoint_strategy: { path: 'weights/x' } })).toThrow(/tinker:/);
    expect(() => recoveryPolicy({ onRecovery: 'x' as never })).toThrow(/onRecovery/);
    expect(
      recoveryPolicy({ checkpoint_strategy: { path: 'tinker://r/weights/a' } }).checkpoint_strategy,
    ).toEqual({ path: 'tinker://r/weights/a' });
  });

  // Found in review (round 25): unknown keys were dropped, so `enabeld: true` left recovery off and
  // `max_atempts: 10` meant 3, without a word.
  it.each([
    [{ enabeld: true }, '/enabeld', 'enabled'],
    [{ max_atempts: 10 }, '/max_atempts', 'max_attempts'],
  ])('refuses the misspelt key of %j by name, with a hint', (options, pointer, hint) => {
    const error = (() => {
      try {
        recoveryPolicy(options as never);
      } catch (e) {
        return e;
      }
    })();
    expectMisspeltKey(error, pointer, hint);
  });
});

describe('RecoveryExecutor', () => {
  it('retries a failing recovery with backoff on the clock, then is exhausted and calls onFailure', async () => {
    const { service, clock } = await start();
    const failures: [string, unknown][] = [];
    const executor = new RecoveryExecutor(service, {
      clock,
      policy: {
        enabled: true,
        backoff_ms: 1_000,
        checkpoint_strategy: { path: 'tinker://nope:train:0/weights/missing' },
        onFailure: (run, error) => void failures.push([run, error]),
      },
    });
    cleanups.push(() => executor.stop());
    const seen = record(executor);
    let failed = next(executor, 'failed');
    expect(executor.recover('run-a')).toBe('queued');
    expect(executor.recover('run-a')).toBe('already_pending');
    expect((await failed).error).toBeInstanceOf(NotFoundError);
    expect(clock.pending).toBe(1);
    // The second attempt waits backoff_ms, the third 2·backoff_ms.
    await clock.advance(999);
    const attempt = (n: number) => [`started:${n}`, `checkpoint_selected:${n}`, `failed:${n}`];
    expect(seen).toEqual(attempt(1));
    failed = next(executor, 'failed');
    await clock.advance(1);
    await failed;
    const exhausted = next(executor, 'exhausted');
    await clock.advance(1_999);
    expect(seen).toEqual([...attempt(1), ...attempt(2)]);
    await clock.advance(1);
    expect((await exhausted).attempt).toBe(3);
    expect(seen).toEqual([...attempt(1), ...attempt(2), ...attempt(3), 'exhausted:3']);
    expect(failures).toHaveLength(1);
    expect(failures[0][0]).toBe('run-a');
    expect(clock.pending).toBe(0);
    expect(executor.isPending('run-a')).toBe(false);
  });

  it('a run with no checkpoint fails with MissingCheckpointError (read over REST)', async () => {
    const { service, clock } = await start();
    const training = await service.createLoraTrainingClient(BASE);
    const executor = new RecoveryExecutor(service, { clock, policy: { enabled: true, max_attempts: 1 } });
    cleanups.push(() => executor.stop());
    const exhausted = next(executor, 'exhausted');
    executor.recover(training.model_id);
    const error = (await exhausted).error as MissingCheckpointError;
    expect(error).toBeInstanceOf(MissingCheckpointError);
    expect(error.run_id).toBe(training.model_id);
  });

  it('does nothing when disabled; stop() drops a pending retry, leaves no timer and refuses new work', async () => {
    const { service, clock } = await start();
    expect(new RecoveryExecutor(service, { clock }).recover('run-x')).toBe('disabled');
    const executor = new RecoveryExecutor(service, {
      clock,
      policy: { enabled: true, checkpoint_strategy: { path: 'tinker://nope:train:0/weights/x' } },
    });
    const seen = record(executor);
    const failed = next(executor, 'failed');
    executor.recover('run-x', { metadata: { tag: 1 } });
    await failed;
    expect(clock.pending).toBe(1);
    const stopped = next(executor, 'stopped');
    await executor.stop();
    expect(await stopped).toEqual({ run_id: 'run-x', metadata: { tag: 1 } });
    expect(clock.pending).toBe(0);
    await clock.advance(120_000);
    expect(seen).toEqual(['started:1', 'checkpoint_selected:1', 'failed:1', 'stopped']);
    expect(executor.recover('run-y')).toBe('stopped');
  });

  it('restarts from a chosen checkpoint path, weights only when restore_optimizer is false', async () => {
    const { service, clock, emulator } = await start();
    const training = await service.createLoraTrainingClient(BASE);
    const first = await training.saveState('first');
    await training.saveState('second');
    const executor = new RecoveryExecutor(service, {
      clock,
      policy: { enabled: true, restore_optimizer: false, checkpoint_strategy: { path: first.path } },
    });
    cleanups.push(() => executor.stop());
    const completed = next(executor, 'completed');
    executor.recover(training.model_id);
    const done = await completed;
    expect(done.checkpoint.tinker_path).toBe(first.path);
    const loads = emulator
      .requestLog()
      .filter((r) => r.path === '/api/v1/load_weights')
      .map((r) => r.body as { path: string; optimizer: boolean });
    expect(loads).toEqual([expect.objectContaining({ path: first.path, optimizer: false })]);
  });
});

describe('RecoveryMonitor', () => {
  it('polls only while runs are watched; a failed read is a poll_error and the run stays watched', async () => {
    const { service, clock } = await start();
    const monitor = new RecoveryMonitor(service, {
      clock,
      policy: { enabled: true, poll_interval_ms: 1_000 },
    });
    cleanups.push(() => monitor.stop());
    const seen = record(monitor);
    expect(clock.pending).toBe(0);
    expect(monitor.monitorRun('ghost:train:0', { who: 'ghost' })).toBe('monitoring');
    expect(clock.pending).toBe(1);
    const pollError = next(monitor, 'poll_error');
    await clock.advance(1_000);
    const error = await pollError;
    expect(error).toMatchObject({ run_id: 'ghost:train:0', metadata: { who: 'ghost' } });
    expect(error.error).toBeInstanceOf(NotFoundError);
    expect(monitor.monitored).toEqual(['ghost:train:0']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.pending).toBe(1);
    monitor.stopMonitoring('ghost:train:0');
    expect(clock.pending).toBe(0);
    expect(seen).toEqual(['poll_error']);
  });

  it('refuses to monitor when disabled, and stop() tells of watched runs and leaves no timer', async () => {
    const { service, clock } = await start();
    expect(new RecoveryMonitor(service, { clock }).monitorRun('r')).toBe('disabled');
    const monitor = new RecoveryMonitor(service, { clock, policy: { enabled: true } });
    const seen = record(monitor);
    monitor.monitorRun('a:train:0');
    monitor.monitorRun('b:train:0');
    await monitor.stop();
    expect(seen).toEqual(['stopped', 'stopped']);
    expect(clock.pending).toBe(0);
    expect(monitor.monitorRun('c:train:0')).toBe('stopped');
  });
});
