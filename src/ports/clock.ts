import type { PortToken } from './port-token.js';
/**
 * Clock port: every wait in the kernel (retry backoff, rate-limit windows, poll intervals,
 * heartbeats) goes through this, so tests drive time instead of sleeping.
 *
 * Two readings: `now()` is the wall clock (it can jump, backwards or forwards, when NTP steps it, a VM
 * resumes or someone fixes the date), `monotonic()` never jumps. A duration or a deadline is measured
 * on `monotonic()` (a 429 window, a breaker's open time, a poll's pause, a heartbeat's failing time), so
 * a wall-clock step neither stalls the process for as long as the step nor fires every timeout at once;
 * `now()` is for what the world reads as a date: a JWT's `exp`, an HTTP `Retry-After` date, a log's or
 * an event's timestamp. `sleep`, `after` and `every` wait on monotonic time.
 */
export interface Clock {
  /** Milliseconds since the epoch (wall time: may jump, never use it for a duration). */
  now(): number;
  /**
   * Milliseconds from an arbitrary origin (fixed for the clock's life, possibly 0), never decreasing,
   * unaffected by wall-clock steps; may be fractional. Only differences between two readings of the
   * same clock mean anything. `SystemClock` answers `performance.now()`.
   */
  monotonic(): number;
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
