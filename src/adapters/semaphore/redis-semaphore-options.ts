import type { Logger } from '../../ports/logger.js';

export interface RedisSemaphoreOptions {
  /** A holder's permits expire this long after its last renewal (a crashed worker's come back). Default 10 s. */
  leaseMs?: number;
  /** Longest pause between two polls of a waiter; a release notification wakes it sooner. Default 200 ms. */
  maxPollMs?: number;
  logger?: Logger;
}

/** A lease renewed every third of itself must be a positive, finite number of ms a timer can hold. */
export function checkLeaseMs(leaseMs: number | undefined): void {
  if (leaseMs !== undefined && !(Number.isFinite(leaseMs) && leaseMs >= 3 && leaseMs <= 2_147_483_647)) {
    throw new RangeError(`leaseMs must be a number of ms from 3 to 2147483647, got ${String(leaseMs)}`);
  }
}
