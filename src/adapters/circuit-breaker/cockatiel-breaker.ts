import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  SamplingBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type {
  BreakerSettings,
  BreakerState,
  BreakerStateChange,
  CircuitBreakerRegistry,
} from '../../ports/circuit-breaker.js';
import { CircuitOpenError } from '../../kernel/errors/api-errors.js';

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

interface Entry {
  policy: CircuitBreakerPolicy;
  /** The predicate of the call in flight; cockatiel's filter reads it. */
  counts: (error: unknown) => boolean;
}

/**
 * One cockatiel breaker per key, created lazily with the key's settings. Errors the predicate rejects
 * (client errors) pass through without counting; cockatiel then treats the call as a success, which is
 * right: the server answered.
 */
export class CockatielBreakerRegistry implements CircuitBreakerRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(change: BreakerStateChange) => void>();

  async execute<T>(
    key: string,
    settings: BreakerSettings,
    fn: () => Promise<T>,
    countsAsFailure: (error: unknown) => boolean,
    signal?: AbortSignal,
  ): Promise<T> {
    const entry = this.entry(key, settings);
    entry.counts = countsAsFailure;
    try {
      return await entry.policy.execute(() => fn(), signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw new CircuitOpenError(key, { cause: error });
      throw error;
    }
  }

  state(key: string): BreakerState | undefined {
    const entry = this.entries.get(key);
    return entry ? STATE_NAMES[entry.policy.state] : undefined;
  }

  onStateChange(listener: (change: BreakerStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private entry(key: string, settings: BreakerSettings): Entry {
    let entry = this.entries.get(key);
    if (entry) return entry;
    const holder: Entry = { counts: () => true, policy: undefined as unknown as CircuitBreakerPolicy };
    const breaker =
      settings.failureRateThreshold !== undefined
        ? new SamplingBreaker({
            threshold: settings.failureRateThreshold,
            duration: settings.samplingWindowMs ?? 30_000,
            minimumRps: settings.minimumRps,
          })
        : new ConsecutiveBreaker(settings.consecutiveFailures ?? 5);
    holder.policy = circuitBreaker(
      handleWhen((error) => holder.counts(error)),
      { halfOpenAfter: settings.halfOpenAfterMs, breaker },
    );
    let previous: BreakerState = 'closed';
    holder.policy.onStateChange((state) => {
      const next = STATE_NAMES[state];
      if (next === previous) return;
      const change = { key, from: previous, to: next };
      previous = next;
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch {
          /* listeners never break calls */
        }
      }
    });
    this.entries.set(key, holder);
    entry = holder;
    return entry;
  }
}
