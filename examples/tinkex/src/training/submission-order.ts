import { APIUserAbortError, abortErrorFor, ClientClosedError, PristineError } from 'pristine-kernel';
import { callName } from '../protocol/call-name.js';
import { Refusals, sentence, type FailedStep } from './refusals.js';

export type { FailedStep };

/**
 * A training request was not sent because a request submitted before it on the same client could not
 * reach the server after its retries. Names that failed step; the caller may resubmit once the server
 * answers again. The request took no seq_id (ids are given out when a request's turn comes).
 */
export class TrainingSequenceAbortedError extends PristineError {
  constructor(
    readonly endpoint: string,
    readonly failed: FailedStep,
  ) {
    const why = failed.error instanceof Error ? failed.error.message : String(failed.error);
    super(
      `${callName(endpoint)} was not sent: ${callName(failed.endpoint)} (seq_id ${failed.seq_id}), ` +
        `submitted before it, failed after its retries: ${why}`,
      { category: 'unknown', cause: failed.error },
    );
  }
}

/**
 * The order of one TrainingClient's submissions. Each request is submitted only after its predecessor's
 * submission settled (accepted or failed), as the Python SDK's turn counter does. Its seq_id is given
 * when its turn comes, so a request that is never sent (aborted by its caller while queued, or stopped
 * by the rule below) takes none and leaves no gap for the server to wait on. A request that was sent and
 * failed for good burns its seq_id: later requests go on with the next ids.
 *
 * One difference, so that an outage cannot take (queued requests × retry budget) to surface: when a
 * submission fails on a retryable error (connection error, timeout, 5xx, 429: the server is unreachable
 * and the retry budget is spent), the requests already queued behind it are not sent; they reject at
 * once with a TrainingSequenceAbortedError naming the failed step. A 4xx concerns only its own request:
 * the queue goes on. Requests made after the failure are submitted normally.
 */
export class SubmissionOrder {
  private seq = 0;
  /** Reservations so far: a request's place in the queue, whether or not it gets a seq_id. */
  private tickets = 0;
  private turn: Promise<void> = Promise.resolve();
  /** Queued requests up to ticket `upTo` are not sent because of `failed` (ticket `after`). */
  private aborted: { after: number; upTo: number; failed: FailedStep } | undefined;
  /** Reserved requests whose submission has not settled yet. */
  private unsettled = 0;
  private readonly refusals: Refusals;

  /**
   * `say` gets a line per request that was sent and failed for good: a warning, or a debug line when its
   * own caller aborted it (the caller knows; on Ctrl-C a warning would only be noise before the exit).
   * Requests refused one after another the same way (a server that restarted refuses every queued step
   * with a 404) are one incident and one warning naming how many (see Refusals).
   */
  constructor(private readonly say: (level: 'warn' | 'debug', message: string) => void) {
    this.refusals = new Refusals((message) => say('warn', message));
  }

  /** The seq_id the next request would take now (for validating a request before reserving). */
  get nextSeqId(): number {
    return this.seq + 1;
  }

  /**
   * Take a place in the queue. `gate` resolves with the request's seq_id when it may be submitted, or
   * rejects (nothing to send, no seq_id taken) when an earlier submission failed for good or `signal`
   * was aborted meanwhile; `track` must get the request's acceptance.
   */
  reserve(
    endpoint: string,
    signal?: AbortSignal,
  ): { gate: Promise<number>; track(accepted: Promise<unknown>): void } {
    const ticket = ++this.tickets;
    this.unsettled++;
    let seq_id: number | undefined;
    const gate = this.turn.then(() => {
      const aborted = this.aborted;
      if (aborted && ticket > aborted.after && ticket <= aborted.upTo)
        throw new TrainingSequenceAbortedError(endpoint, aborted.failed);
      if (signal?.aborted) throw abortErrorFor(signal);
      return (seq_id = ++this.seq);
    });
    const track = (accepted: Promise<unknown>) => {
      this.turn = accepted.then(
        () => this.settled(true),
        (error: unknown) => {
          if (seq_id !== undefined) this.failed({ endpoint, seq_id, error }, ticket);
          this.settled(false);
        },
      );
    };
    return { gate, track };
  }

  /** A request's submission settled: an acceptance, or nothing left queued, ends the refusals' incident. */
  private settled(accepted: boolean): void {
    this.unsettled--;
    if (accepted || this.unsettled === 0) this.refusals.flush();
  }

  private failed(step: FailedStep, ticket: number): void {
    // The caller closed the client: every queued request ends this way, nothing to warn about.
    if (step.error instanceof ClientClosedError) return;
    const byCaller = step.error instanceof APIUserAbortError;
    if (byCaller) {
      const line = `${callName(step.endpoint)} (seq_id ${step.seq_id}) was not accepted: ${sentence(step.error)}`;
      this.say('debug', `${line} Later requests go on with the next seq_id.`);
      return;
    }
    const unreachable = step.error instanceof PristineError && step.error.retryable;
    if (!unreachable) {
      // Refused (4xx): the queue goes on, and the refusals of the requests behind it are one line.
      this.refusals.add(step);
      if (ticket === this.tickets) this.refusals.flush();
      return;
    }
    this.refusals.flush();
    this.say(
      'warn',
      `${callName(step.endpoint)} (seq_id ${step.seq_id}) was not accepted: ${sentence(step.error)} ` +
        'Requests queued behind it are not sent.',
    );
    this.aborted = { after: ticket, upTo: this.tickets, failed: step };
  }
}
