import type { Clock } from 'pristine-kernel';
import type { ServiceClient } from '../client/service-client.js';
import type { RecoveryEventMap, RecoveryEventName } from './events.js';
import { RecoveryExecutor, type RecoveryExecutorOptions } from './executor.js';
import type { RecoveryPolicy } from './policy.js';

export interface RecoveryMonitorOptions extends RecoveryExecutorOptions {
  /** The executor that restarts detected runs. Default: one made from these options. */
  executor?: RecoveryExecutor;
}

/** Why `monitorRun` is not watching the run. */
export type MonitorResult = 'monitoring' | 'disabled' | 'stopped';

/**
 * Watches training runs for `corrupted: true` (Elixir `Recovery.Monitor`): every `poll_interval_ms`
 * it reads each run over REST (`GET training_runs/{id}`); a failed read is a `poll_error` and the run
 * stays watched; a corrupted run is `detected`, handed to the executor, and no longer watched. The one
 * timer runs only while there are runs to watch, on the injected clock; `stop()` cancels it.
 */
export class RecoveryMonitor {
  readonly executor: RecoveryExecutor;
  private readonly clock: Clock;
  private readonly runs = new Map<string, Record<string, unknown>>();
  private cancelTimer: (() => void) | undefined;
  private polling: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly service: ServiceClient,
    options: RecoveryMonitorOptions = {},
  ) {
    this.executor = options.executor ?? new RecoveryExecutor(service, options);
    this.clock = options.clock ?? service.kernel.getServices().clock;
  }

  get policy(): RecoveryPolicy {
    return this.executor.policy;
  }

  /** Subscribe to the monitor's and the executor's transitions; returns the unsubscribe function. */
  on<K extends RecoveryEventName>(name: K, listener: (payload: RecoveryEventMap[K]) => void): () => void {
    return this.executor.on(name, listener);
  }

  /** Watch a run; `metadata` goes with its events and to `onRecovery` (e.g. `{ client }`). */
  monitorRun(run_id: string, metadata: Record<string, unknown> = {}): MonitorResult {
    if (this.stopped) return 'stopped';
    if (!this.policy.enabled) return 'disabled';
    this.runs.set(run_id, metadata);
    this.schedule();
    return 'monitoring';
  }

  stopMonitoring(run_id: string): void {
    this.runs.delete(run_id);
    if (this.runs.size === 0) this.cancel();
  }

  /** The runs being watched. */
  get monitored(): string[] {
    return [...this.runs.keys()];
  }

  /** Poll every watched run now (what the timer does); resolves when the round is done. */
  pollNow(): Promise<void> {
    this.polling ??= this.poll().finally(() => (this.polling = undefined));
    return this.polling;
  }

  /**
   * Stop watching (each run still watched gets `stopped`), cancel the timer, wait for a poll in
   * progress, then stop the executor. Leaves no timer behind.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel();
    await this.polling;
    for (const [run_id, metadata] of this.runs) this.executor.events.emit('stopped', { run_id, metadata });
    this.runs.clear();
    await this.executor.stop();
  }

  private schedule(): void {
    if (this.cancelTimer || this.stopped || this.runs.size === 0) return;
    this.cancelTimer = this.clock.after(this.policy.poll_interval_ms, () => {
      this.cancelTimer = undefined;
      void this.pollNow().then(() => this.schedule());
    });
  }

  private cancel(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private async poll(): Promise<void> {
    const rest = this.service.createRestClient();
    for (const [run_id, metadata] of [...this.runs]) {
      if (this.stopped) return;
      let run;
      try {
        run = await rest.getTrainingRun(run_id);
      } catch (error) {
        this.executor.events.emit('poll_error', { run_id, error, metadata });
        continue;
      }
      if (run.corrupted !== true || !this.runs.has(run_id)) continue;
      this.executor.events.emit('detected', { run_id, checkpoint: run.last_checkpoint ?? null, metadata });
      const queued = this.executor.recover(run_id, { metadata, run, last_checkpoint: run.last_checkpoint });
      // Queued (or already being recovered): this run is the executor's now.
      if (queued === 'queued' || queued === 'already_pending') this.runs.delete(run_id);
    }
  }
}
