import type { PortToken } from './port-token.js';
/**
 * Clock port: every wait in the kernel (retry backoff, rate-limit windows, poll intervals,
 * heartbeats) goes through this, so tests drive time instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Run `fn` once after `ms` (a deadline). Returns a cancel function; cancelling costs nothing, unlike
   * aborting a `sleep`, which rejects with an error. Keeps the process alive while pending, like `sleep`.
   */
  after(ms: number, fn: () => void): () => void;
  /** A repeating timer that never keeps the process alive. Returns a cancel function. */
  every(ms: number, fn: () => void): () => void;
}

export const ClockToken = Symbol.for('pristine.port.Clock') as PortToken<Clock>;
