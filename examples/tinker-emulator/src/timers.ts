/** The longest delay Node's timers hold; a longer one (Infinity too) fires after 1 ms, with a warning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A one-shot timer: run `fn` after `ms`; returns its cancel function. */
export type After = (ms: number, fn: () => void) => () => void;

/**
 * Node's timers, unref'd: the listening server keeps the process up, and `close()` cancels every timer
 * the emulator set (a test runner must not stay up for an hour-long chaos latency).
 */
export const realTimer: After = (ms, fn) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/**
 * The emulator's timers, all on its clock, all cancelled by `close()`: a chaos delay, a seq-id gap or a
 * long poll never fires against a closed emulator.
 */
export class TimerSet {
  private readonly cancels = new Set<() => void>();
  private readonly sleepers = new Set<(done: boolean) => void>();
  private closed_ = false;

  constructor(private readonly set: After) {}

  get closed(): boolean {
    return this.closed_;
  }

  /** `after` on the clock, forgotten once it fires or is cancelled; a no-op once closed. */
  readonly after: After = (ms, fn) => {
    if (this.closed_) return () => {};
    const cancel = this.set(ms, () => {
      this.cancels.delete(cancel);
      fn();
    });
    this.cancels.add(cancel);
    return () => {
      this.cancels.delete(cancel);
      cancel();
    };
  };

  /** Resolves true after `ms`, or false at once when the set is closed (then the caller stops). */
  sleep(ms: number): Promise<boolean> {
    if (this.closed_) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (done: boolean) => {
        this.sleepers.delete(wake);
        cancel();
        resolve(done);
      };
      this.sleepers.add(wake);
      const cancel = this.after(ms, () => wake(true));
    });
  }

  /** Cancel every pending timer and wake every sleeper with false; later timers are no-ops. */
  close(): void {
    this.closed_ = true;
    for (const wake of [...this.sleepers]) wake(false);
    for (const cancel of [...this.cancels]) cancel();
    this.cancels.clear();
  }
}
