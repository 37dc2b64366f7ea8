import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  SamplingBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBreaker,
} from 'cockatiel';
import type { Clock } from '../../ports/clock.js';
import type {
  BreakerSettings,
  BreakerState,
  BreakerStateChange,
  CircuitBreakerRegistry,
} from '../../ports/circuit-breaker.js';
import { CircuitOpenError } from '../../kernel/errors/api-errors.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';
import { SystemClock } from '../clock/system-clock.js';
import { breakerRule, errorKind } from '../../kernel/breaker-log.js';

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * Carries an error the caller's predicate does not count through cockatiel. Cockatiel's filter sees
 * only the error, so the per-call predicate is applied here, and the filter just rejects this wrapper.
 */
class NotCounted {
  constructor(readonly error: unknown) {}
}

/**
 * What the closed-state fast path touches of cockatiel 3.2.1's policy (pinned): besides the public
 * `state`, the two members its own `execute` uses when a closed-state call fails.
 */
interface PolicyInternals {
  innerLastFailure: { error: unknown } | undefined;
  open(reason: { error: unknown }, signal: AbortSignal): void;
}

interface PolicyEntry {
  policy: CircuitBreakerPolicy;
  /** The same policy, typed for the members the fast path uses. */
  internals: PolicyInternals;
  /** The policy's counting breaker (cockatiel keeps it in its private options). */
  breaker: IBreaker;
  halfOpenAfterMs: number;
  /** `Clock.monotonic()` when the breaker last opened. */
  openedAt: number;
}

/**
 * cockatiel's `halfOpenAfter`, as a backoff whose wait is always over. cockatiel 3.2.1 times the open
 * state with `Date.now() - openedAt < duration` on each call: a wall clock stepped back an hour kept
 * the breaker open an hour longer (and one stepped forward let the trial through at once). The registry
 * times it on the Clock's monotonic reading instead and lets cockatiel go half-open whenever asked:
 * `x < -Infinity` is never true, even for a negative `x`.
 */
const OPEN_TIMED_BY_REGISTRY: IBackoff<unknown> = {
  duration: Number.NEGATIVE_INFINITY,
  next: () => OPEN_TIMED_BY_REGISTRY,
};

/**
 * A call through a closed breaker, doing exactly what cockatiel's `execute` does in that state (count
 * the success, or count the failure and open when the breaker says so) in one promise instead of the
 * six of `policy.execute` wrapped in our predicate's marking: this runs on every request. Uncounted
 * errors pass through uncounted, as cockatiel's filter makes them. Like cockatiel, the state a call
 * started in is the one it reports to the breaker.
 */
function closedExecute<T>(
  { internals, breaker }: PolicyEntry,
  fn: () => Promise<T>,
  countsAsFailure: (error: unknown) => boolean,
  signal: AbortSignal | undefined,
): Promise<T> {
  let running: Promise<T>;
  try {
    running = fn();
  } catch (error) {
    running = Promise.reject(error);
  }
  return running.then(
    (value) => {
      breaker.success(CircuitState.Closed);
      return value;
    },
    (error: unknown) => {
      if (!countsAsFailure(error)) throw error;
      const reason = { error };
      internals.innerLastFailure = reason;
      if (breaker.failure(CircuitState.Closed)) internals.open(reason, signal ?? neverAbortedSignal);
      throw error;
    },
  );
}

/** cockatiel's default signal, for `open` (its backoff reads it; ours is constant). */
const neverAbortedSignal = new AbortController().signal;

function makeBreaker(settings: BreakerSettings): IBreaker {
  if (settings.failureRateThreshold !== undefined) {
    return new SamplingBreaker({
      threshold: settings.failureRateThreshold,
      duration: settings.samplingWindowMs ?? 30_000,
      minimumRps: settings.minimumRps,
    });
  }
  return new ConsecutiveBreaker(settings.consecutiveFailures ?? 5);
}

/**
 * The CircuitBreaker port on cockatiel: one policy per key, created lazily with the settings of the
 * first call for that key.
 *
 * - Open: `execute` rejects with CircuitOpenError and never calls `fn`.
 * - After `halfOpenAfterMs` on the Clock's monotonic reading, the next call is the trial (checked on
 *   that call; no timer runs, so `state()` still says "open" until a call arrives). While the trial
 *   runs, other calls fail fast with CircuitOpenError rather than queueing behind it.
 * - The trial's success closes the breaker; a counted failure reopens it.
 *
 * Errors `countsAsFailure` rejects (4xx, user aborts, validation) pass through unchanged and are
 * neutral while closed: they neither count as failures nor reset the consecutive-failure count or
 * the sampling window (a 4xx burst must not hide a failing backend, nor trip it). As a half-open
 * trial, such an error closes the breaker: the server answered, which is what the trial asks.
 * Every close starts a fresh count (cockatiel alone would keep the old count after such a trial, so
 * the next single failure would reopen it).
 */
export class CockatielBreakerRegistry implements CircuitBreakerRegistry {
  private readonly policies = new Map<string, PolicyEntry>();
  private readonly listeners = new Set<(change: BreakerStateChange) => void>();

  constructor(private readonly clock: Clock = new SystemClock()) {}

  // Promise chains rather than async functions: this wraps every request, and each async frame costs.
  execute<T>(
    key: string,
    settings: BreakerSettings,
    fn: () => Promise<T>,
    countsAsFailure: (error: unknown) => boolean,
    signal?: AbortSignal,
  ): Promise<T> {
    // A call already cancelled must not be spent as the trial.
    if (signal?.aborted) return Promise.reject(abortErrorFor(signal));
    const entry = this.entry(key, settings);
    const policy = entry.policy;
    if (policy.state === CircuitState.Closed) return closedExecute(entry, fn, countsAsFailure, signal);
    if (policy.state === CircuitState.HalfOpen) return Promise.reject(new CircuitOpenError(key));
    if (policy.state === CircuitState.Open && this.clock.monotonic() - entry.openedAt < entry.halfOpenAfterMs)
      return Promise.reject(new CircuitOpenError(key, { cause: new BrokenCircuitError() }));
    const marked = () =>
      fn().catch((error: unknown) => {
        throw countsAsFailure(error) ? error : new NotCounted(error);
      });
    return policy.execute(marked, signal).catch((error: unknown) => {
      if (error instanceof NotCounted) throw error.error;
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw new CircuitOpenError(key, { cause: error });
      }
      throw error;
    });
  }

  state(key: string): BreakerState | undefined {
    const policy = this.policies.get(key)?.policy;
    return policy ? STATE_NAMES[policy.state] : undefined;
  }

  onStateChange(listener: (change: BreakerStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private entry(key: string, settings: BreakerSettings): PolicyEntry {
    const known = this.policies.get(key);
    if (known) return known;
    const breaker = makeBreaker(settings);
    const policy = circuitBreaker(
      handleWhen((error) => !(error instanceof NotCounted)),
      { halfOpenAfter: OPEN_TIMED_BY_REGISTRY, breaker },
    );
    const entry: PolicyEntry = {
      policy,
      internals: policy as unknown as PolicyInternals,
      breaker,
      halfOpenAfterMs: settings.halfOpenAfterMs,
      openedAt: 0,
    };
    policy.onReset(() => {
      breaker.state = makeBreaker(settings).state;
    });
    let previous: BreakerState = 'closed';
    // cockatiel tells the failure that opened it just before the state change.
    let lastError: string | undefined;
    policy.onBreak((reason) => {
      lastError = 'error' in reason ? errorKind(reason.error) : undefined;
    });
    policy.onStateChange((state) => {
      if (state === CircuitState.Open) entry.openedAt = this.clock.monotonic();
      const next = STATE_NAMES[state];
      if (next === previous) return;
      const change: BreakerStateChange = { key, from: previous, to: next };
      if (next === 'open') Object.assign(change, { trippedBy: breakerRule(settings), lastError });
      previous = next;
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch {
          // A listener's bug must not break the call that changed the state.
        }
      }
    });
    this.policies.set(key, entry);
    return entry;
  }
}
