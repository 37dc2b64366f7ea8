import { APIFuture, onAbort, type CallOptions, type Clock, untilAborted } from 'pristine-kernel';

const ignore = (): void => {};

/**
 * A forward / forward_backward split into several requests (chunks) is applied whole or not at all.
 * Until the call's turn comes (its first seq_id is given) the caller's signal stops it and nothing is
 * sent; from then on its chunks go out whatever the caller does, and an abort stops only the caller's
 * wait, as for a single request the server has accepted (the chunks' polls stop once all are accepted).
 * Aborted between two chunks, the server ran part of the batch (its gradient went into the next
 * optimStep, and the caller, told "aborted", could not know which part) and waited for the seq_ids of
 * the chunks never sent (gaps, 10 s each on the emulator) before the next step.
 */
/** A call with a signal: the caller's, and the controller of the signal its chunks go out with. */
interface Linked {
  readonly caller: AbortSignal;
  readonly controller: AbortController;
}

export class WholeBatch {
  /** Present when the call has a signal (one field, so the types carry "a controller iff a signal"). */
  private readonly linked: Linked | undefined;
  private phase: 'queued' | 'sending' | 'sent' = 'queued';
  private abortedWhileSending = false;
  private unsubscribe: () => void = ignore;

  constructor(private readonly call: CallOptions) {
    const { signal } = call;
    if (!signal) return;
    const controller = new AbortController();
    this.linked = { caller: signal, controller };
    const abort = () => {
      if (this.phase === 'sending') this.abortedWhileSending = true;
      else controller.abort(signal.reason);
    };
    if (signal.aborted) abort();
    else this.unsubscribe = onAbort(signal, abort);
  }

  /** The signal the chunks are queued and sent with: the caller's, until the batch is committed. */
  get signal(): AbortSignal | undefined {
    return this.linked?.controller.signal;
  }

  /** The options each chunk is submitted with. */
  get options(): CallOptions {
    return this.linked ? { ...this.call, signal: this.linked.controller.signal } : this.call;
  }

  /**
   * `firstGate` resolves when the call's turn comes: called before the chunks are submitted, so the
   * batch is committed before any of them is sent.
   */
  commit(firstGate: Promise<unknown>): void {
    const linked = this.linked;
    if (!linked) return;
    firstGate.then(() => {
      if (this.phase === 'queued' && !linked.controller.signal.aborted) this.phase = 'sending';
    }, ignore);
  }

  /** The call's future: the chunks' merged result (`combined`), or the caller's abort at once. */
  result<C, T>(chunks: readonly APIFuture<C>[], combined: APIFuture<T>, clock: Clock): APIFuture<T> {
    const linked = this.linked;
    if (!linked) return combined;
    const signal = linked.caller;
    // Every chunk accepted (or failed): an abort meanwhile now stops their polls.
    const sent = () => {
      this.phase = 'sent';
      if (this.abortedWhileSending) linked.controller.abort(signal.reason);
    };
    Promise.allSettled(chunks.map((chunk) => chunk.accepted)).then(sent, ignore);
    // A signal may serve many calls for hours: let go of it when this one settles.
    combined.then(this.unsubscribe, this.unsubscribe);
    return new APIFuture<T>(
      untilAborted(combined.accepted, signal),
      (_id, cancelled) => {
        cancelled.addEventListener('abort', () => combined.cancel(), { once: true });
        return untilAborted(Promise.resolve(combined), signal);
      },
      clock,
      undefined,
      { endpointId: combined.endpointId },
    );
  }
}
