import { PristineError, type Clock, type Logger } from 'pristine-kernel';
import type { ServiceClient } from '../client/service-client.js';
import type { TrainingClient } from '../client/training-client.js';
import { loggerOf } from '../client/tinker-kernel.js';
import type { Checkpoint, TrainingRun } from '../types/schemas.js';
import { RecoveryEvents, type RecoveryEventMap, type RecoveryEventName } from './events.js';
import {
  recoveryBackoff,
  recoveryPolicy,
  type RecoveryCheckpoint,
  type RecoveryPolicy,
  type RecoveryPolicyOptions,
} from './policy.js';

/** A recovery attempt could not start: the run has no checkpoint to restart from. */
export class MissingCheckpointError extends PristineError {
  constructor(readonly run_id: string) {
    super(`training run ${run_id} has no checkpoint to recover from`, { category: 'user' });
  }
}

export interface RecoverOptions {
  /** Passed on to every event and to `onRecovery` (e.g. your old client, to swap it out). */
  metadata?: Record<string, unknown>;
  /** A checkpoint (or its path) to restart from, so no REST read is needed. */
  last_checkpoint?: Checkpoint | string | null;
  /** The run as already read (its `last_checkpoint` is used). */
  run?: TrainingRun;
}

/** Why `recover` did not queue the run. */
export type RecoverResult = 'queued' | 'disabled' | 'already_pending' | 'stopped';

export interface RecoveryExecutorOptions {
  policy?: RecoveryPolicy | RecoveryPolicyOptions;
  /** Recoveries running at once (more wait in FIFO order). Default 1. */
  max_concurrent?: number;
  /** Backoff timers run on this clock. Default: the ServiceClient's. */
  clock?: Clock;
}

interface Entry {
  run_id: string;
  metadata: Record<string, unknown>;
  last_checkpoint: RecoveryCheckpoint | null;
  run?: TrainingRun;
  attempt: number;
}

/**
 * Restarts corrupted training runs (Elixir `Recovery.Executor`): each attempt picks the checkpoint
 * (the policy's path, else the run's last checkpoint, read over REST when not given) and creates a new
 * training client from it, with its optimizer state unless `restore_optimizer` is false. A failed
 * attempt is retried after min(backoff_ms · 2^(n−1), max_backoff_ms) until `max_attempts`; at most
 * `max_concurrent` recoveries run at once. Opt-in: nothing happens unless the policy is enabled.
 */
export class RecoveryExecutor {
  readonly policy: RecoveryPolicy;
  readonly events: RecoveryEvents;
  private readonly maxConcurrent: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly queue: Entry[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly retries = new Map<string, { entry: Entry; cancel: () => void }>();
  private stopped = false;

  constructor(
    private readonly service: ServiceClient,
    options: RecoveryExecutorOptions = {},
  ) {
    this.policy = recoveryPolicy(options.policy);
    this.maxConcurrent = Math.max(1, Math.floor(options.max_concurrent ?? 1));
    this.clock = options.clock ?? service.kernel.getServices().clock;
    this.logger = loggerOf(service.kernel);
    this.events = new RecoveryEvents((error, event) =>
      this.logger.warn(`recovery: a ${event} listener threw`, { error: (error as Error)?.message }),
    );
  }

  /** Subscribe to one transition (see RecoveryEventMap); returns the unsubscribe function. */
  on<K extends RecoveryEventName>(name: K, listener: (payload: RecoveryEventMap[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** Queue a recovery of `run_id`; a run already queued, running or waiting to retry is not queued twice. */
  recover(run_id: string, options: RecoverOptions = {}): RecoverResult {
    if (this.stopped) return 'stopped';
    if (!this.policy.enabled) return 'disabled';
    if (this.isPending(run_id)) return 'already_pending';
    const last = options.last_checkpoint ?? null;
    this.queue.push({
      run_id,
      metadata: options.metadata ?? {},
      last_checkpoint: typeof last === 'string' ? { tinker_path: last } : last,
      run: options.run,
      attempt: 0,
    });
    this.startNext();
    return 'queued';
  }

  /** True while the run is queued, being recovered or waiting for its next attempt. */
  isPending(run_id: string): boolean {
    return (
      this.running.has(run_id) || this.retries.has(run_id) || this.queue.some((e) => e.run_id === run_id)
    );
  }

  /**
   * Drop queued runs and pending retries (each gets `stopped`), cancel their timers, and wait for the
   * attempts already running (their outcome is still reported). Nothing runs after this resolves.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    const dropped = [...this.queue.splice(0), ...[...this.retries.values()].map((r) => r.entry)];
    for (const { cancel } of this.retries.values()) cancel();
    this.retries.clear();
    for (const entry of dropped)
      this.events.emit('stopped', { run_id: entry.run_id, metadata: entry.metadata });
    await Promise.allSettled([...this.running.values()]);
  }

  private startNext(): void {
    while (!this.stopped && this.running.size < this.maxConcurrent) {
      const entry = this.queue.shift();
      if (entry === undefined) return;
      const run: Promise<void> = this.attempt(entry).finally(() => {
        if (this.running.get(entry.run_id) === run) this.running.delete(entry.run_id);
        this.startNext();
      });
      this.running.set(entry.run_id, run);
    }
  }

  private async attempt(entry: Entry): Promise<void> {
    entry.attempt += 1;
    const base = {
      run_id: entry.run_id,
      attempt: entry.attempt,
      strategy: this.policy.checkpoint_strategy,
      metadata: entry.metadata,
    };
    this.events.emit('started', base);
    let client: TrainingClient;
    let checkpoint: RecoveryCheckpoint;
    try {
      checkpoint = await this.selectCheckpoint(entry);
      this.events.emit('checkpoint_selected', { ...base, checkpoint });
      client = await (this.policy.restore_optimizer
        ? this.service.createTrainingClientFromStateWithOptimizer(checkpoint.tinker_path)
        : this.service.createTrainingClientFromState(checkpoint.tinker_path));
      this.events.emit('client_created', { ...base, checkpoint, client });
    } catch (error) {
      this.events.emit('failed', { ...base, error });
      return this.afterFailure(entry, error);
    }
    this.running.delete(entry.run_id); // done: a callback may queue the run again
    this.events.emit('completed', { ...base, checkpoint, client });
    await this.callback('onRecovery', () =>
      this.policy.onRecovery?.({ ...base, client, checkpoint, metadata: entry.metadata }),
    );
  }

  private async afterFailure(entry: Entry, error: unknown): Promise<void> {
    if (entry.attempt >= this.policy.max_attempts) {
      this.running.delete(entry.run_id); // done: a callback may queue the run again
      this.events.emit('exhausted', {
        run_id: entry.run_id,
        attempt: entry.attempt,
        strategy: this.policy.checkpoint_strategy,
        metadata: entry.metadata,
        error,
      });
      await this.callback('onFailure', () => this.policy.onFailure?.(entry.run_id, error));
      return;
    }
    if (this.stopped) {
      this.events.emit('stopped', { run_id: entry.run_id, metadata: entry.metadata });
      return;
    }
    const cancel = this.clock.after(recoveryBackoff(this.policy, entry.attempt), () => {
      this.retries.delete(entry.run_id);
      this.queue.push(entry);
      this.startNext();
    });
    this.retries.set(entry.run_id, { entry, cancel });
  }

  /** The policy's path; else the checkpoint given or on the run; else the run's, read now over REST. */
  private async selectCheckpoint(entry: Entry): Promise<RecoveryCheckpoint> {
    const strategy = this.policy.checkpoint_strategy;
    if (strategy !== 'latest') return { tinker_path: strategy.path };
    const known = entry.last_checkpoint ?? entry.run?.last_checkpoint;
    if (known) return known;
    const run = await this.service.createRestClient().getTrainingRun(entry.run_id);
    if (!run.last_checkpoint) throw new MissingCheckpointError(entry.run_id);
    return run.last_checkpoint;
  }

  private async callback(name: string, fn: () => void | Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.logger.warn(`recovery: ${name} threw; ignored`, { error: (error as Error)?.message });
    }
  }
}
