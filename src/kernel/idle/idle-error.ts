import { PristineError } from '../errors/pristine-error.js';

/** Which bound ended a wait for idle: the caller's `timeoutMs`, or its `signal`. */
export type IdleBound = 'timeoutMs' | 'signal';

/**
 * `kernel.idle()` stopped waiting before the last call and future settled. Nothing was cancelled: the
 * work still in flight goes on (`close()` cancels it). `inFlight` is how much was left.
 */
export class IdleWaitError extends PristineError {
  readonly bound: IdleBound;
  readonly inFlight: number;

  constructor(bound: IdleBound, inFlight: number, timeoutMs: number | undefined, cause?: unknown) {
    const why = bound === 'timeoutMs' ? `after timeoutMs ${timeoutMs} ms` : 'because the signal aborted';
    super(
      `Stopped waiting for idle ${why}: ${inFlight} call${inFlight === 1 ? '' : 's'} or future` +
        `${inFlight === 1 ? '' : 's'} still in flight (not cancelled; close() cancels them)`,
      { category: 'user', retryable: false, cause },
    );
    this.bound = bound;
    this.inFlight = inFlight;
  }
}
