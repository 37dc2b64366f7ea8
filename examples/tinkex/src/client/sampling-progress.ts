import { APIConnectionError, type Clock } from 'pristine-kernel';

/**
 * The stuck detection of the Python SDK's sampling RetryHandler: one watch per sampler. Each request
 * runs with a signal that aborts once no request of this sampler has completed for `timeoutMs` (the
 * clock restarts when a request enters an idle sampler, and on every success), and then fails with
 * `APIConnectionError("No progress made in <t>s. Requests appear to be stuck.")`. One slow straggler
 * therefore never fails while its siblings keep finishing.
 */
export class ProgressWatch {
  private lastProgress = 0;
  private inProgress = 0;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    /** The server the requests go to, named in the error (an outage is then obvious from the message). */
    private readonly origin?: string,
  ) {}

  /** `lastError` names the cause of a stuck failure (the last attempt's error, if any). */
  async run<T>(request: (signal: AbortSignal) => Promise<T>, lastError?: () => unknown): Promise<T> {
    const { clock } = this;
    if (this.inProgress === 0) this.lastProgress = clock.now();
    this.inProgress++;
    const controller = new AbortController();
    let stuck = false;
    let cancelTimer: () => void = () => {};
    const check = () => {
      const left = this.lastProgress + this.timeoutMs - clock.now();
      if (left > 0) {
        cancelTimer = clock.after(left, check);
        return;
      }
      stuck = true;
      controller.abort();
    };
    cancelTimer = clock.after(Math.max(0, this.lastProgress + this.timeoutMs - clock.now()), check);
    try {
      const value = await request(controller.signal);
      this.lastProgress = clock.now();
      return value;
    } catch (error) {
      if (!stuck) throw error;
      throw new APIConnectionError(
        `No progress made in ${this.timeoutMs / 1000}s. Requests ${this.origin ? `to ${this.origin} ` : ''}appear to be stuck.`,
        { cause: lastError?.() ?? error },
      );
    } finally {
      this.inProgress--;
      cancelTimer();
    }
  }
}
