import { APIUserAbortError, PristineError } from 'pristine-kernel';

/** A training request whose submission failed for good. */
export interface FailedStep {
  endpoint: string;
  seq_id: number;
  error: unknown;
}

/**
 * A training request was not sent because a request submitted before it on the same client could not
 * reach the server after its retries. Names that failed step; the caller may resubmit once the server
 * answers again (later calls get new seq_ids).
 */
export class TrainingSequenceAbortedError extends PristineError {
  constructor(
    readonly endpoint: string,
    readonly seq_id: number,
    readonly failed: FailedStep,
  ) {
    const why = failed.error instanceof Error ? failed.error.message : String(failed.error);
    super(
      `${endpoint} (seq_id ${seq_id}) was not sent: ${failed.endpoint} (seq_id ${failed.seq_id}), ` +
        `submitted before it, failed after its retries: ${why}`,
      { category: 'unknown', cause: failed.error },
    );
  }
}

/**
 * The order of one TrainingClient's submissions. Each request is submitted only after its predecessor's
 * submission settled (accepted or failed), as the Python SDK's turn counter does, and a failed one burns
 * its seq_id: later requests go on with the next ids.
 *
 * One difference, so that an outage cannot take (queued requests × retry budget) to surface: when a
 * submission fails on a retryable error (connection error, timeout, 5xx, 429: the server is unreachable
 * and the retry budget is spent), the requests already queued behind it are not sent; they reject at
 * once with a TrainingSequenceAbortedError naming the failed step. A 4xx concerns only its own request:
 * the queue goes on. Requests made after the failure are submitted normally.
 */
export class SubmissionOrder {
  private seq = 0;
  private turn: Promise<void> = Promise.resolve();
  /** Queued requests up to `upTo` are aborted because of `failed`. */
  private aborted: { upTo: number; failed: FailedStep } | undefined;

  constructor(private readonly warn: (message: string) => void) {}

  /** The seq_id the next reservation will take (for validating a request before reserving). */
  get nextSeqId(): number {
    return this.seq + 1;
  }

  /**
   * Reserve the next seq_id. `gate` resolves when the request may be submitted, or rejects (nothing to
   * send) when an earlier submission failed for good; `track` must get the request's acceptance.
   */
  reserve(endpoint: string): {
    seq_id: number;
    gate: Promise<void>;
    track(accepted: Promise<unknown>): void;
  } {
    const seq_id = ++this.seq;
    const gate = this.turn.then(() => {
      const aborted = this.aborted;
      if (aborted && seq_id > aborted.failed.seq_id && seq_id <= aborted.upTo)
        throw new TrainingSequenceAbortedError(endpoint, seq_id, aborted.failed);
    });
    const track = (accepted: Promise<unknown>) => {
      this.turn = accepted.then(
        () => undefined,
        (error: unknown) => this.failed({ endpoint, seq_id, error }),
      );
    };
    return { seq_id, gate, track };
  }

  private failed(step: FailedStep): void {
    if (step.error instanceof TrainingSequenceAbortedError) return;
    const unreachable =
      step.error instanceof PristineError &&
      step.error.retryable &&
      !(step.error instanceof APIUserAbortError);
    this.warn(
      `${step.endpoint} (seq_id ${step.seq_id}) was not accepted: ${(step.error as Error)?.message}. ` +
        (unreachable
          ? `Requests queued behind it (up to seq_id ${this.seq}) are not sent.`
          : 'Later requests go on with the next seq_id.'),
    );
    if (unreachable) this.aborted = { upTo: this.seq, failed: step };
  }
}
