import { linkedSignal, type FifoSemaphore, type RetryContext, type SemaphoreTicket } from 'pristine-kernel';
import type { SampleResponse } from '../types/schemas.js';
import type { LastError, ProgressWatch } from './sampling-progress.js';
import { publicSampleResponse } from './public-sample-response.js';

/** What one sample's attempts leave for the next attempt and for the end. */
export interface AttemptsState {
  /** The last attempt's error, named as the cause of a stuck failure. */
  error?: unknown;
  /** The dispatch slot a refused submission kept for its resubmission; given back when the attempts end. */
  keptSlot?: () => void;
}

/** The sampler's retry loop over one sample's attempts (`SamplingClient.run`). */
export type RunAttempts<I> = (
  input: I,
  retryContext: RetryContext,
  newSeqIdPerAttempt: boolean,
  signal: AbortSignal | undefined,
  seen: AttemptsState,
) => Promise<SampleResponse>;

/**
 * What `sampleWithin` does once the sample holds its in-flight slot: the attempts (under stuck detection
 * when it is on), the slot released when they settle. An object with methods rather than an async frame
 * and closures per sample: 2,000 samples wait here at once in a fan-out.
 *
 * A sample waiting for a dispatch slot (1,600 of a 2,000-sample burst; in 0.25 mode all of them hold an
 * in-flight slot meanwhile) is this object, its input, the gate's waiter entry and the promise `holding`
 * returned, with its resolve and reject: the gate tells this object (`SemaphoreTicket`), and the `then`
 * pair that settles the sample is attached only once its attempts start. A promise from `acquire` with a
 * `then` for the grant and a `then` pair for the end would hold two more promises, two reactions, three
 * closures and two contexts per waiting sample, about 0.5 KB, through every garbage collection of the burst.
 */
export class SampleAttempts<I> implements AttemptsState, LastError, SemaphoreTicket {
  // The fields are declared here and set in the constructor, not initialized here: initializers in the
  // class body are a function of their own (V8's `<instance_members_initializer>`), one more TurboFan
  // job in every process's first burst (docs/performance-notes.md, round 19 notes).
  /** The last attempt's error, named as the cause of a stuck failure. */
  declare error: unknown;
  declare keptSlot: (() => void) | undefined;
  /** The in-flight slot (`holding`'s), released when the attempts settle. */
  declare private release: (() => void) | undefined;
  /** Stuck detection's signal, when it is on. */
  declare private stuck: AbortSignal | undefined;
  /** What the attempts run under: the caller's signal and stuck detection's. */
  declare private runSignal: AbortSignal | undefined;
  /** Lets go of the caller's and the stuck watch's signals once the sample settles (`end`). */
  declare private unlinkSignals: (() => void) | undefined;
  /** The promise `holding` returned, while the sample waits at the gate. */
  declare private resolve: ((response: SampleResponse) => void) | undefined;
  declare private reject: ((error: unknown) => void) | undefined;
  declare private readonly runAttempts: RunAttempts<I>;
  declare private readonly input: I;
  declare private readonly context: RetryContext;
  declare private readonly newSeqIdPerAttempt: boolean;
  declare private readonly signal: AbortSignal | undefined;
  /** Stuck detection, when it is on. */
  declare private readonly progress: ProgressWatch | undefined;
  /** The dispatch gate the first submission waits at (see `holding`). */
  declare private readonly gate: FifoSemaphore;

  constructor(
    runAttempts: RunAttempts<I>,
    input: I,
    context: RetryContext,
    newSeqIdPerAttempt: boolean,
    signal: AbortSignal | undefined,
    progress: ProgressWatch | undefined,
    gate: FifoSemaphore,
  ) {
    this.runAttempts = runAttempts;
    this.input = input;
    this.context = context;
    this.newSeqIdPerAttempt = newSeqIdPerAttempt;
    this.signal = signal;
    this.progress = progress;
    this.gate = gate;
    this.error = undefined;
    this.keptSlot = undefined;
    this.release = undefined;
    this.stuck = undefined;
    this.runSignal = undefined;
    this.unlinkSignals = undefined;
    this.resolve = undefined;
    this.reject = undefined;
  }

  /**
   * The caller's signal and the stuck detection's both end the attempts. The first submission's dispatch
   * slot is taken here, before the attempts are built (the first attempt finds it in `keptSlot`). The
   * sample waits for it inside stuck detection, as it did inside the attempts.
   */
  holding(release: () => void): Promise<SampleResponse> {
    this.release = release;
    try {
      if (this.progress) this.stuck = this.progress.enter(this);
      // Not AbortSignal.any: the stuck watch's signal serves every sample of the sampler, and Node 20
      // keeps one entry per sample in its dependants (linkedSignal).
      const linked = this.signal && this.stuck ? linkedSignal(this.signal, this.stuck) : undefined;
      this.unlinkSignals = linked?.unlink;
      const signal = (this.runSignal = linked ? linked.signal : (this.signal ?? this.stuck));
      const slot = signal?.aborted ? undefined : this.gate.tryAcquire(1);
      if (slot) {
        this.keptSlot = slot;
        return this.attempts().then(
          (response) => this.succeeded(response),
          (error: unknown) => {
            throw this.failed(error);
          },
        );
      }
      return new Promise<SampleResponse>((resolve, reject) => {
        this.resolve = resolve;
        this.reject = reject;
        this.gate.wait(1, this, signal);
      });
    } catch (error) {
      return Promise.reject(this.failed(error));
    }
  }

  /**
   * The gate's grant (`SemaphoreTicket`). It comes from inside another sample's release: the attempts
   * start a microtask later, as they did after an awaited `acquire`.
   */
  granted(slot: () => void): void {
    this.keptSlot = slot;
    queueMicrotask(() => {
      let attempts: Promise<SampleResponse>;
      try {
        attempts = this.attempts();
      } catch (error) {
        attempts = Promise.reject(error);
      }
      attempts.then(
        (response) => this.settle(true, response),
        (error: unknown) => this.settle(false, error),
      );
    });
  }

  /** The gate refused the wait (the caller's or stuck detection's signal aborted): settled a microtask later. */
  refused(error: unknown): void {
    queueMicrotask(() => this.settle(false, error));
  }

  /** Settles the promise `holding` returned for a sample that waited at the gate (never throws). */
  private settle(ok: boolean, outcome: unknown): void {
    const { resolve, reject } = this;
    // Both are set before the gate can tell (`holding`), and a ticket is told once: after that, as a
    // promise settled twice, nothing is left to do.
    if (!resolve || !reject) return;
    this.resolve = this.reject = undefined;
    try {
      if (ok) resolve(this.succeeded(outcome as SampleResponse));
      else reject(this.failed(outcome));
    } catch (error) {
      reject(error);
    }
  }

  /** The cause named by a stuck failure (`LastError`). */
  lastError(): unknown {
    return this.error;
  }

  private succeeded(response: SampleResponse): SampleResponse {
    // `stuck` is set only from `progress` (see `holding`).
    const { progress, stuck } = this;
    if (stuck && progress) progress.succeeded();
    this.end();
    return publicSampleResponse(response);
  }

  /** The error to settle with: the stuck failure if stuck detection's signal ended the attempts. */
  private failed(error: unknown): unknown {
    const { progress, stuck } = this;
    const failure = stuck && progress ? progress.failed(error, stuck, this) : error;
    this.end();
    return failure;
  }

  /** Success, a fatal error or an abort during a backoff: a slot kept for a resubmission goes back, then the in-flight slot. */
  private end(): void {
    this.unlinkSignals?.();
    this.unlinkSignals = undefined;
    const kept = this.keptSlot;
    this.keptSlot = undefined;
    kept?.();
    this.release?.();
  }

  private attempts(): Promise<SampleResponse> {
    return this.runAttempts(this.input, this.context, this.newSeqIdPerAttempt, this.runSignal, this);
  }
}
