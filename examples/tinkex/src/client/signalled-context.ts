import type { RetryContext } from 'pristine-kernel';

/**
 * A sample's retry context: the sampler's, with the signal its attempts run under. Without a signal of
 * the caller's, that signal is stuck detection's, one for every sample of the sampler (ProgressWatch):
 * then every sample gets the same object, made when the pair changes, instead of a copy each that its
 * retry loop keeps for the whole network wait (2,000 copies at once in a fan-out). The loop only reads
 * its context (the Retry port), so sharing it is safe. A sample with a signal of its own (linked with
 * stuck detection's, one per sample) gets a copy as before, and is never remembered here: the client
 * keeps no per-sample signal alive.
 */
export class SignalledContexts {
  // Set in the constructor, not as class-body fields (see SampleAttempts).
  declare private base: RetryContext | undefined;
  declare private signal: AbortSignal | undefined;
  declare private context: RetryContext | undefined;

  constructor() {
    this.base = undefined;
    this.signal = undefined;
    this.context = undefined;
  }

  /** `{ ...base, signal }`; shared when `signal` is `shared` (the sampler's stuck-detection signal). */
  of(base: RetryContext, signal: AbortSignal | undefined, shared: AbortSignal | undefined): RetryContext {
    if (signal === undefined || signal !== shared) return { ...base, signal };
    if (this.base !== base || this.signal !== signal || this.context === undefined) {
      this.base = base;
      this.signal = signal;
      this.context = { ...base, signal };
    }
    return this.context;
  }
}
