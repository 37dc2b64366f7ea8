import type { RetryContext, Semaphore } from 'pristine-kernel';
import type { SampleResponse } from '../types/schemas.js';
import type { LastError, ProgressWatch } from './sampling-progress.js';

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
 */
export class SampleAttempts<I> implements AttemptsState, LastError {
  /** The last attempt's error, named as the cause of a stuck failure. */
  error: unknown = undefined;
  keptSlot: (() => void) | undefined = undefined;

  constructor(
    private readonly runAttempts: RunAttempts<I>,
    private readonly input: I,
    private readonly context: RetryContext,
    private readonly newSeqIdPerAttempt: boolean,
    private readonly signal: AbortSignal | undefined,
    /** Stuck detection, when it is on. */
    private readonly progress: ProgressWatch | undefined,
    /** The dispatch gate the first submission waits at (see `run`). */
    private readonly gate: Semaphore,
  ) {}

  holding(release: () => void): Promise<SampleResponse> {
    const progress = this.progress;
    // Stuck detection's signal; its bookkeeping is done in this `then` pair (no second pair per sample).
    let stuck: AbortSignal | undefined;
    let attempts: Promise<SampleResponse>;
    try {
      if (progress) stuck = progress.enter(this);
      attempts = this.run(stuck);
    } catch (error) {
      attempts = Promise.reject(error);
    }
    return attempts.then(
      (response) => {
        if (stuck) progress!.succeeded();
        this.giveBackKeptSlot();
        release();
        // The Python SDK's default: a server that does not report it had no cache hit. A response that
        // has it (always, in 0.25) is returned as it came: no copy per sample.
        return response.prompt_cache_hit_tokens != null
          ? response
          : { ...response, prompt_cache_hit_tokens: 0 };
      },
      (error: unknown) => {
        const failure = stuck ? progress!.failed(error, stuck, this) : error;
        // Success, a fatal error or an abort during a backoff: a slot kept for a resubmission goes back.
        this.giveBackKeptSlot();
        release();
        throw failure;
      },
    );
  }

  /** The cause named by a stuck failure (`LastError`). */
  lastError(): unknown {
    return this.error;
  }

  private giveBackKeptSlot(): void {
    const kept = this.keptSlot;
    this.keptSlot = undefined;
    kept?.();
  }

  /**
   * The caller's signal and the stuck detection's (`stuck`) both end the attempts. The first
   * submission's dispatch slot is taken here, before the attempts are built (the first attempt finds it
   * in `keptSlot`): a sample waiting for one (1,600 of a 2,000-sample burst) holds this object, its
   * input and a waiter entry, not the attempts' frames, closures and promises, which every scavenge
   * would copy. It waits inside stuck detection, as it did inside the attempts.
   */
  run(stuck: AbortSignal | undefined): Promise<SampleResponse> {
    const signal = bothSignals(this.signal, stuck);
    const slot = signal?.aborted ? undefined : this.gate.tryAcquire?.(1);
    if (slot) {
      this.keptSlot = slot;
      return this.attempts(signal);
    }
    return this.gate.acquire(1, signal).then((acquired) => {
      this.keptSlot = acquired;
      return this.attempts(signal);
    });
  }

  private attempts(signal: AbortSignal | undefined): Promise<SampleResponse> {
    return this.runAttempts(this.input, this.context, this.newSeqIdPerAttempt, signal, this);
  }
}

/** One signal for both (either may be absent). */
function bothSignals(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  return a && b ? AbortSignal.any([a, b]) : (a ?? b);
}
