import {
  ADMITTED,
  abortErrorFor,
  FutureExpiredError,
  PristineError,
  RateLimitError,
  type AttemptOutcome,
  type QueueStateEvent,
  type Semaphore,
} from 'pristine-kernel';
import { estimateModelInputBytes } from '../training/chunking.js';
import type { ModelInputWire, SampleResponse } from '../types/schemas.js';
import type { AttemptsState } from './sample-attempts.js';
import type { TinkerKernel } from './tinker-kernel.js';

/** Prompts above this estimate wait 5 s after a 429 instead of 1 s. */
const LARGE_PROMPT_BYTES = 128 * 1024;

const noop = () => {};

/** The `asample` input, as `SamplingClient` builds it. */
export interface SampleInput {
  prompt: ModelInputWire;
  seq_id: number;
}

/** What a sample's submissions share with every other sample of their sampler. */
export interface SubmitterParts {
  readonly kernel: TinkerKernel;
  /** The sampler's rate-limit bucket (429 back-pressure per sampler). */
  readonly bucket: string;
  readonly retryEnabled: boolean;
  readonly onQueueState: (event: QueueStateEvent) => void;
  /** The JSON protocol's next `seq_id` (one per attempt). */
  nextSeqId(): number;
}

/**
 * One attempt's dispatch slot: held from before the submission until the server accepts it, kept for
 * the resubmission when it refused with a retryable error.
 */
class AttemptSlot {
  // Set in the constructor, not as class-body fields (see QueuedHttpStart).
  declare release: (() => void) | undefined;
  declare polling: boolean;

  constructor(release: (() => void) | undefined) {
    this.release = release;
    this.polling = false;
  }
}

function succeeded(value: SampleResponse): AttemptOutcome<SampleResponse> {
  return { kind: 'success', value };
}

/**
 * One sample attempt (a dispatch slot, the sampler's rate-limit window, the `asample` submission and its
 * result) as a `then` chain, not an async function: an attempt waits for its result for the whole poll,
 * and a suspended async frame keeps its generator, register file and context for that long, in each of
 * the 2,000 samples of a fan-out. One per SamplingClient.
 */
export class SampleSubmitter {
  constructor(private readonly parts: SubmitterParts) {}

  attempt(
    input: SampleInput,
    newSeqIdPerAttempt: boolean,
    signal: AbortSignal | undefined,
    seen: AttemptsState,
    gate: Semaphore,
  ): Promise<AttemptOutcome<SampleResponse>> {
    // A slot the previous attempt kept (see `failed`), else one from the gate.
    const slot = new AttemptSlot(seen.keptSlot);
    seen.keptSlot = undefined;
    let result: Promise<SampleResponse>;
    try {
      result = slot.release
        ? this.admitted(slot, input, newSeqIdPerAttempt, signal)
        : gate.acquire(1, signal).then((release) => {
            slot.release = release;
            return this.admitted(slot, input, newSeqIdPerAttempt, signal);
          });
    } catch (error) {
      result = Promise.reject(error);
    }
    return result.then(succeeded, (error: unknown) => this.failed(error, slot, input, signal, seen));
  }

  /** Through the sampler's rate-limit window (at once when it is open), then the submission. */
  private admitted(
    slot: AttemptSlot,
    input: SampleInput,
    newSeqIdPerAttempt: boolean,
    signal: AbortSignal | undefined,
  ): Promise<SampleResponse> {
    const open = this.parts.kernel.getServices().rateLimiter.acquire(this.parts.bucket, { signal });
    if (open === ADMITTED) return this.submit(slot, input, newSeqIdPerAttempt, signal);
    return open.then(() => this.submit(slot, input, newSeqIdPerAttempt, signal));
  }

  private submit(
    slot: AttemptSlot,
    input: SampleInput,
    newSeqIdPerAttempt: boolean,
    signal: AbortSignal | undefined,
  ): Promise<SampleResponse> {
    if (newSeqIdPerAttempt) input.seq_id = this.parts.nextSeqId();
    const future = this.parts.kernel.submit<SampleResponse>('asample', input, {
      onQueueState: this.parts.onQueueState,
      signal,
      // Stopped by `signal` only (below): no AbortController per pending sample.
      callerSignalOnly: true,
    });
    // The slot is free once the server accepted the submission; the poll needs none. A refused
    // submission's slot is given back (or kept for the retry) in `failed`.
    const release = slot.release;
    future.accepted.then(() => {
      slot.release = undefined;
      release?.();
    }, noop);
    // Not `result({ signal })` (a promise, closures, a subscription): the future stops on `signal`.
    slot.polling = true;
    return future.result();
  }

  private failed(
    error: unknown,
    slot: AttemptSlot,
    input: SampleInput,
    signal: AbortSignal | undefined,
    seen: AttemptsState,
  ): AttemptOutcome<SampleResponse> {
    if (error instanceof RateLimitError) {
      // The Python SDK's estimate (10 bytes a token), as the dispatch-bytes limit uses.
      const promptBytes = estimateModelInputBytes(input.prompt);
      this.parts.kernel
        .getServices()
        .rateLimiter.backoff(this.parts.bucket, promptBytes <= LARGE_PROMPT_BYTES ? 1_000 : 5_000);
    }
    // Aborted: the future stopped polling with `signal`. The error an aborted wait for a result gives.
    if (signal?.aborted) {
      slot.release?.();
      const error_ = slot.polling ? abortErrorFor(signal) : error;
      return { kind: 'fatal', error: error_ as Error };
    }
    seen.error = error;
    const outcome = classify(error, this.parts.retryEnabled);
    // A submission refused with a retryable error keeps its dispatch slot for its resubmission, as
    // the Python SDK retries a failed `asample` inside its dispatch semaphore (given back, it would
    // queue behind every sample waiting). SampleAttempts gives it back however the attempts end.
    if (outcome.kind === 'retryable') seen.keptSlot = slot.release;
    else slot.release?.();
    return outcome;
  }
}

function classify(error: unknown, retryEnabled: boolean): AttemptOutcome<SampleResponse> {
  const retryable =
    retryEnabled &&
    (error instanceof FutureExpiredError ||
      (error instanceof PristineError &&
        (error.retryable || [408, 409, 410, 429].includes(error.status ?? 0) || (error.status ?? 0) >= 500)));
  return retryable ? { kind: 'retryable', error: error as Error } : { kind: 'fatal', error: error as Error };
}
