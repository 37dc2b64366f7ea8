import type { Clock } from '../../ports/clock.js';
import { linkedSignal } from '../signals/linked-signal.js';
import { FutureTimeoutError } from './future-errors.js';

/**
 * The bound `kernel.submit(id, input, { timeoutMs })` puts on a whole future: the submission and every
 * poll run under its signal (joined to the caller's), and once it passes the polling stops and the
 * future rejects with `FutureTimeoutError` instead of the abort it caused. Without it a job that never
 * finished was polled for ever: `timeoutMs` bounded only the submit request's attempts.
 */
export class FutureDeadline {
  readonly signal: AbortSignal;
  private fired = false;
  private readonly cancelTimer: () => void;
  private readonly unlink: () => void;

  constructor(
    clock: Clock,
    readonly timeoutMs: number,
    callerSignal: AbortSignal | undefined,
    private readonly endpointId: string,
  ) {
    const controller = new AbortController();
    const linked = callerSignal ? linkedSignal(callerSignal, controller.signal) : undefined;
    this.signal = linked ? linked.signal : controller.signal;
    this.unlink = linked ? linked.unlink : () => {};
    this.cancelTimer = clock.after(timeoutMs, () => {
      this.fired = true;
      controller.abort(new FutureTimeoutError(undefined, timeoutMs, endpointId));
    });
  }

  /** The future settled: no timer, no subscription on the caller's signal left behind. */
  readonly end = (): void => {
    this.cancelTimer();
    this.unlink();
  };

  /** What a failure of the future is once the bound has passed: the timeout, naming the request id. */
  failure(error: unknown, requestId: string | undefined): unknown {
    return this.fired ? new FutureTimeoutError(requestId, this.timeoutMs, this.endpointId) : error;
  }
}
