import type { Clock } from '../ports/clock.js';
import { ValidationError } from './errors/validation-error.js';

/**
 * A Clock written before `monotonic()` joined the port (a test's hand-driven clock, a plain-JS adapter)
 * is refused by name rather than failing later with "clock.monotonic is not a function" inside a call.
 * Falling back to `now()` would bring back what the member is there to prevent: a wall-clock step
 * stalling every window and deadline for as long as the step.
 */
export function checkClock(clock: unknown): void {
  if (typeof (clock as Partial<Clock> | null)?.monotonic === 'function') return;
  throw ValidationError.field(
    'Ports.Clock adapter',
    '/monotonic',
    'required',
    'a Clock needs monotonic(): milliseconds that never jump, e.g. `monotonic: () => performance.now()` ' +
      '(a test clock: the time it drives), used for every duration and deadline',
  );
}
