import type { PortToken } from './port-token.js';
export type Release = () => void;

/**
 * Semaphore port: counting (weight 1) or weighted (e.g. bytes). FIFO waiters; an aborted waiter leaves
 * the queue; a request heavier than the whole budget runs alone instead of deadlocking.
 */
export interface Semaphore {
  readonly capacity: number;
  readonly available: number;
  readonly waiting: number;
  /**
   * Optional: nothing is held or awaited through this object (the kernel lets idle ones go). Without
   * it, idle is `waiting === 0 && available >= capacity`; a semaphore whose `available` counts others'
   * permits too (a fleet's) says it here.
   */
  readonly idle?: boolean;
  acquire(weight?: number, signal?: AbortSignal): Promise<Release>;
  /**
   * Optional: take `weight` now if `acquire` would grant it at once (nobody waiting, and it fits), else
   * take nothing and return undefined. Lets a caller that holds several permits skip a promise and an
   * async frame per call (the kernel's semaphore stage); semaphores without it are awaited as usual.
   */
  tryAcquire?(weight: number): Release | undefined;
}

export interface SemaphoreFactory {
  /** `name` identifies the semaphore (e.g. `plugin:resource:count`), for factories that share it. */
  create(capacity: number, name?: string): Semaphore;
}

export const SemaphoreToken = Symbol.for('pristine.port.Semaphore') as PortToken<SemaphoreFactory>;
