/**
 * Where the kernel is in closing: open; closing but for its final endpoints (`closeExcept`, while a
 * client's last reports go out); closed. Read on every call (`refuses`) and by every retry or wait
 * (`stopping`), so both are plain field tests.
 */
export class ClosingState {
  /** Set by `close()` and `closeExcept`: later calls reject with ClientClosedError and send nothing. */
  closed = false;
  /** While closing (`closeExcept`), the endpoints still admitted. */
  private finalEndpoints: ReadonlySet<string> | undefined = undefined;
  /** Aborted by `close()` (`services.closing`). */
  private readonly closing = new AbortController();
  /** Aborted by `closeExcept` and `close()`: ends the waits of every endpoint but the final ones. */
  private readonly stopped = new AbortController();

  get closingSignal(): AbortSignal {
    return this.closing.signal;
  }

  /** Whether a call to the endpoint may no longer be sent (`services.refuses`). */
  readonly refuses = (id: string): boolean => this.closed && !this.finalEndpoints?.has(id);

  /** `services.stopping`: the final endpoints wait on `closing`, the others on `stopped`. */
  readonly stopping = (id: string): AbortSignal =>
    this.finalEndpoints?.has(id) ? this.closing.signal : this.stopped.signal;

  /** Begin closing; the final endpoints are the first call's when called twice. */
  closeExcept(finalEndpoints: Iterable<string>): ReadonlySet<string> {
    this.closed = true;
    this.finalEndpoints ??= new Set(finalEndpoints);
    this.stopped.abort();
    return this.finalEndpoints;
  }

  close(): void {
    this.closed = true;
    this.finalEndpoints = undefined;
    this.stopped.abort();
    this.closing.abort();
  }
}
