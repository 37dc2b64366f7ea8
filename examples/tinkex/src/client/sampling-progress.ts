import { APIConnectionError, type Clock } from 'pristine-kernel';

/**
 * The stuck detection of the Python SDK's sampling RetryHandler: one watch per sampler. Each request
 * runs with a signal that aborts once no request of this sampler has completed for `timeoutMs` (the
 * clock restarts when a request enters an idle sampler, and on every success), and then fails with
 * `APIConnectionError("No progress made in <t>s. Requests appear to be stuck.")`. One slow straggler
 * therefore never fails while its siblings keep finishing.
 *
 * The deadline is the sampler's, not a request's: every request in progress shares one signal and one
 * timer, from the moment the sampler leaves idle until it is idle again (or stuck). Per request there is
 * then no AbortController and no timer, and the kernel's abort subscriptions on that shared signal are
 * a set insertion each (a fresh signal per sample cost an `abort` listener added and removed per
 * request: about 5% of a sampling burst's CPU).
 */
/** What a stall notice reports. */
export interface Stall {
  /** How long no request of the sampler has completed. */
  stalledMs: number;
  inProgress: number;
  /** The latest retried failure since the last progress, else the latest request's last attempt error. */
  lastError: unknown;
  /** When the requests fail as stuck unless one completes first. */
  failsInMs: number;
}

/** What names a request's last attempt error (the cause of a stuck failure, and in stall notices). */
export interface LastError {
  lastError(): unknown;
}

/** Every time here is `clock.monotonic()`: a wall clock stepped forward must not fail samples as stuck. */
export class ProgressWatch {
  private lastProgress = 0;
  private inProgress = 0;
  /**
   * The signal of the requests in progress, kept while idle for the next ones and replaced only once it
   * aborted: every burst of samples then runs under the same signal object. A fresh AbortSignal has a
   * hidden class of its own in Node 20, so code the engine had optimized for the last burst's signal
   * (every `signal.aborted` on a request's way) was thrown away and compiled again at each burst's start.
   */
  private watch: AbortController | undefined;
  private cancelTimer: (() => void) | undefined;
  /** The last-error reader of the latest request to enter, for the stall notice. */
  private latestError: LastError | undefined;
  /** No stall notice before this time (the next one is `stall.everyMs` after the last). */
  private nextNoticeAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    /** The server the requests go to, named in the error (an outage is then obvious from the message). */
    private readonly origin?: string,
    /**
     * Told once requests are in progress and none completed for `afterMs`, then again every `everyMs`
     * while that lasts: with the 2 h default timeout, a dead server would otherwise be silent for hours.
     */
    private readonly stall?: {
      afterMs: number;
      everyMs: number;
      notice: (stalled: Stall) => void;
      /** A failure retried below the attempts (the transport's retries), named when it is newer than the last progress. */
      retried?: () => { error: unknown; at: number } | undefined;
    },
  ) {}

  /**
   * `lastError` names the cause of a stuck failure (the last attempt's error, if any). A `then` pair, not
   * an async frame: every sample of a fan-out waits in here.
   */
  run<T>(request: (signal: AbortSignal) => Promise<T>, lastError?: () => unknown): Promise<T> {
    const latest = lastError && { lastError };
    const signal = this.enter(latest);
    let running: Promise<T>;
    try {
      running = request(signal);
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.then(
      (value) => {
        this.succeeded();
        return value;
      },
      (error: unknown) => {
        throw this.failed(error, signal, latest);
      },
    );
  }

  /**
   * `run` in three steps, for a caller that settles its request in a `then` pair of its own (a sampler's
   * samples: one pair per sample instead of two). Every `enter` is followed by `succeeded` or `failed`.
   * Returns the signal the request runs under.
   */
  enter(latest?: LastError): AbortSignal {
    if (this.inProgress === 0) this.lastProgress = this.clock.monotonic();
    this.inProgress++;
    this.latestError = latest;
    // Armed when the first request enters; the controller is the idle one's unless it aborted.
    // A running timer belongs to the kept watch (`startWatch`'s caller stores it; both go together).
    const running = this.cancelTimer ? this.watch : undefined;
    const watch = running ?? this.startWatch(this.watch ?? new AbortController());
    this.watch = watch;
    return watch.signal;
  }

  /** The signal `enter` returns now (undefined before the first request): one for every request in progress. */
  get signal(): AbortSignal | undefined {
    return this.watch?.signal;
  }

  /** The request that `enter` returned `signal` to succeeded: progress. */
  succeeded(): void {
    this.lastProgress = this.clock.monotonic();
    this.settled();
  }

  /** The request failed with `error`: the error to fail it with (the stuck failure if `signal` aborted). */
  failed(error: unknown, signal: AbortSignal, latest?: LastError): unknown {
    this.settled();
    // Aborted by this watch (not by the caller's own signal, which reaches the request separately).
    if (!signal.aborted) return error;
    return new APIConnectionError(
      `No progress made in ${this.timeoutMs / 1000}s. Requests ${this.origin ? `to ${this.origin} ` : ''}appear to be stuck.`,
      { cause: latest?.lastError() ?? error },
    );
  }

  private settled(): void {
    if (--this.inProgress === 0) this.stopWatch();
  }

  /**
   * The timer that aborts the shared signal (`controller`'s) once the sampler made no progress for the
   * timeout (re-armed for the rest while progress keeps coming). A request entering after an abort, while the
   * stuck ones are still unwinding, gets a fresh watch that fails at once unless one of them completes.
   */
  private startWatch(controller: AbortController): AbortController {
    const left = () => this.lastProgress + this.timeoutMs - this.clock.monotonic();
    const check = () => {
      const ms = left();
      if (ms > 0) {
        this.noticeIfStalled();
        this.cancelTimer = this.clock.after(Math.min(ms, this.untilNotice()), check);
        return;
      }
      this.cancelTimer = undefined;
      this.watch = undefined;
      controller.abort();
    };
    this.cancelTimer = this.clock.after(Math.max(0, Math.min(left(), this.untilNotice())), check);
    return controller;
  }

  /** Milliseconds until a stall notice may be due (Infinity without a notice callback). */
  private untilNotice(): number {
    if (!this.stall) return Number.POSITIVE_INFINITY;
    const dueAt = Math.max(this.lastProgress + this.stall.afterMs, this.nextNoticeAt);
    return Math.max(0, dueAt - this.clock.monotonic());
  }

  private noticeIfStalled(): void {
    if (!this.stall) return;
    const now = this.clock.monotonic();
    const stalledMs = now - this.lastProgress;
    if (stalledMs < this.stall.afterMs || now < this.nextNoticeAt) return;
    this.nextNoticeAt = now + this.stall.everyMs;
    const retried = this.stall.retried?.();
    this.stall.notice({
      stalledMs,
      inProgress: this.inProgress,
      lastError: retried && retried.at >= this.lastProgress ? retried.error : this.latestError?.lastError(),
      failsInMs: this.timeoutMs - stalledMs,
    });
  }

  /** Idle: no timer; the controller stays for the next request (see `watch`). */
  private stopWatch(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.latestError = undefined;
  }
}
