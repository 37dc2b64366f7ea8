export type Release = () => void;

/**
 * Semaphore port: counting (weight 1) or weighted (e.g. bytes). FIFO waiters; an aborted waiter leaves
 * the queue; a request heavier than the whole budget runs alone instead of deadlocking.
 */
export interface Semaphore {
  readonly capacity: number;
  readonly available: number;
  readonly waiting: number;
  acquire(weight?: number, signal?: AbortSignal): Promise<Release>;
}

export interface SemaphoreFactory {
  /** `name` identifies the semaphore (e.g. `plugin:resource:count`), for factories that share it. */
  create(capacity: number, name?: string): Semaphore;
}

export const SemaphoreToken = Symbol.for('pristine.port.Semaphore');
