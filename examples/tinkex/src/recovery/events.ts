import type { TrainingClient } from '../client/training-client.js';
import type { CheckpointStrategy, RecoveryCheckpoint } from './policy.js';

/** Fields of every executor event (Elixir's `[:tinkex, :recovery, *]` metadata). */
interface AttemptEvent {
  run_id: string;
  /** 1-based; 0 for `stopped` when the run was still waiting for its first attempt. */
  attempt: number;
  strategy: CheckpointStrategy;
  metadata: Record<string, unknown>;
}

/**
 * Each transition of a recovery, in order: the monitor's `detected` (or `poll_error`, after which it
 * keeps polling), then per attempt `started` → `checkpoint_selected` → `client_created` → `completed`,
 * or `failed` (and, when the attempts are spent, `exhausted`). `stopped` tells of work dropped by
 * `stop()`: a run still monitored, queued or waiting for its next attempt.
 */
export interface RecoveryEventMap {
  detected: { run_id: string; checkpoint: RecoveryCheckpoint | null; metadata: Record<string, unknown> };
  poll_error: { run_id: string; error: unknown; metadata: Record<string, unknown> };
  started: AttemptEvent;
  checkpoint_selected: AttemptEvent & { checkpoint: RecoveryCheckpoint };
  client_created: AttemptEvent & { checkpoint: RecoveryCheckpoint; client: TrainingClient };
  completed: AttemptEvent & { checkpoint: RecoveryCheckpoint; client: TrainingClient };
  failed: AttemptEvent & { error: unknown };
  exhausted: AttemptEvent & { error: unknown };
  stopped: { run_id: string; metadata: Record<string, unknown> };
}

export type RecoveryEventName = keyof RecoveryEventMap;
type Listener = (payload: never) => void;

/** A small typed emitter: a throwing listener is reported once through `onListenerError` and skipped. */
export class RecoveryEvents {
  private readonly listeners = new Map<RecoveryEventName, Listener[]>();

  constructor(private readonly onListenerError: (error: unknown, event: string) => void = () => {}) {}

  /** Subscribe; returns the unsubscribe function. */
  on<K extends RecoveryEventName>(name: K, listener: (payload: RecoveryEventMap[K]) => void): () => void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener as Listener]);
    return () =>
      this.listeners.set(
        name,
        (this.listeners.get(name) ?? []).filter((l) => l !== listener),
      );
  }

  emit<K extends RecoveryEventName>(name: K, payload: RecoveryEventMap[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as (p: RecoveryEventMap[K]) => void)(payload);
      } catch (error) {
        this.onListenerError(error, name);
      }
    }
  }
}
