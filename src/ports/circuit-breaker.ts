import type { PortToken } from './port-token.js';
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  /** Open after this many consecutive server-side failures. */
  consecutiveFailures?: number;
  /** Or open when the failure rate over `samplingWindowMs` passes this threshold (0..1). */
  failureRateThreshold?: number;
  samplingWindowMs?: number;
  minimumRps?: number;
  /** Time an open breaker waits before letting one trial call through. */
  halfOpenAfterMs: number;
}

export interface BreakerStateChange {
  key: string;
  from: BreakerState;
  to: BreakerState;
  /** On opening, when known: the rule that tripped it ("5 consecutive failures"). */
  trippedBy?: string;
  /** On opening, when known: the last counted error's kind (class name and status; no message). */
  lastError?: string;
}

/**
 * CircuitBreaker port: a registry of breakers keyed by (base URL, resource). The pipeline wraps each
 * attempt in `execute`; `countsAsFailure` decides which errors trip it (4xx never do).
 */
export interface CircuitBreakerRegistry {
  execute<T>(
    key: string,
    settings: BreakerSettings,
    fn: () => Promise<T>,
    countsAsFailure: (error: unknown) => boolean,
    signal?: AbortSignal,
  ): Promise<T>;
  state(key: string): BreakerState | undefined;
  onStateChange(listener: (change: BreakerStateChange) => void): () => void;
}

export const CircuitBreakerToken = Symbol.for(
  'pristine.port.CircuitBreaker',
) as PortToken<CircuitBreakerRegistry>;
