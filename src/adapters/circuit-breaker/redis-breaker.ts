import type {
  BreakerSettings,
  BreakerState,
  BreakerStateChange,
  CircuitBreakerRegistry,
} from '../../ports/circuit-breaker.js';
import type { Clock } from '../../ports/clock.js';
import { CircuitOpenError } from '../../kernel/errors/api-errors.js';
import type { RedisLink } from '../redis/redis-link.js';
import { rejectedFor, RedisUnavailable } from '../redis/redis-unavailable.js';
import { breakerRule, errorKind } from '../../kernel/breaker-log.js';
import { CockatielBreakerRegistry } from './cockatiel-breaker.js';
import { untilAborted } from '../../kernel/signals/until-aborted.js';
import { BREAKER_ENTER, BREAKER_HAND_ON, BREAKER_RECORD } from './redis-breaker-scripts.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';

const IDLE_MS = 60_000;

export interface RedisBreakerOptions {
  /**
   * How long the fleet's one half-open trial may run before another caller may try (its process may
   * have died mid-trial). Default 60 s; set it above your longest attempt.
   */
  trialLeaseMs?: number;
  /** Times the in-process fallback breaker's open state (default: a SystemClock). */
  clock?: Clock;
}

type Verdict = 'pass' | 'trial' | 'reject';

/**
 * The CircuitBreaker port with its state shared by the fleet: one Redis hash per key, changed only by
 * Lua scripts. Semantics as CockatielBreakerRegistry (same settings, same neutral errors, a fresh count
 * after every close), across processes:
 *
 * - One failing process's failures count toward the fleet's breaker; when it opens, every process
 *   fails fast with CircuitOpenError.
 * - After `halfOpenAfterMs`, exactly one call in the whole fleet is the trial; the others fail fast
 *   until it settles (or its lease, `trialLeaseMs`, runs out).
 * - `state()` and `onStateChange` report what this process has observed through its own calls.
 *
 * Redis down: `onUnavailable: 'local'` runs calls through an in-process cockatiel breaker; `'reject'`
 * rejects them with SharedStateUnavailableError. A call whose outcome cannot be recorded still returns
 * its own result.
 */
export class RedisBreakerRegistry implements CircuitBreakerRegistry {
  private readonly states = new Map<string, BreakerState>();
  private readonly listeners = new Set<(change: BreakerStateChange) => void>();
  private readonly local: CockatielBreakerRegistry;
  private readonly trialLeaseMs: number;

  constructor(
    private readonly link: RedisLink,
    options: RedisBreakerOptions = {},
  ) {
    this.local = new CockatielBreakerRegistry(options.clock);
    this.trialLeaseMs = options.trialLeaseMs ?? 60_000;
    if (!(
      Number.isFinite(this.trialLeaseMs) &&
      this.trialLeaseMs >= 1 &&
      this.trialLeaseMs <= 2_147_483_647
    )) {
      throw new RangeError(
        `trialLeaseMs must be a number of ms from 1 to 2147483647, got ${this.trialLeaseMs}`,
      );
    }
    this.local.onStateChange((change) => this.observe(change.key, change.to, change));
  }

  async execute<T>(
    key: string,
    settings: BreakerSettings,
    fn: () => Promise<T>,
    countsAsFailure: (error: unknown) => boolean,
    signal?: AbortSignal,
  ): Promise<T> {
    // A call already cancelled must not be spent as the trial.
    if (signal?.aborted) throw abortErrorFor(signal);
    const redisKey = this.link.key('breaker', key);
    let verdict: Verdict;
    try {
      const asked = this.link.run(BREAKER_ENTER, [redisKey], [this.trialLeaseMs, IDLE_MS]);
      const [before, said] = (await untilAborted(asked, signal, () => {
        asked.then(
          (answer) => (answer as [BreakerState, Verdict])[1] === 'trial' && this.handOn(redisKey),
          () => {},
        );
      })) as [BreakerState, Verdict];
      verdict = said;
      this.observe(key, before);
      if (verdict === 'trial') this.observe(key, 'half-open');
    } catch (error) {
      if (!(error instanceof RedisUnavailable)) throw error;
      if (this.link.onUnavailable === 'reject') throw rejectedFor('circuit breakers', error);
      return this.local.execute(key, settings, fn, countsAsFailure, signal);
    }
    if (verdict === 'reject') throw new CircuitOpenError(key);
    let outcome: 'ok' | 'fail' | 'neutral' = 'ok';
    let failure: unknown;
    try {
      return await fn();
    } catch (error) {
      outcome = countsAsFailure(error) ? 'fail' : 'neutral';
      failure = error;
      throw error;
    } finally {
      // The caller's signal does not wait for Redis to take the outcome (a slow Redis held it until the
      // command timed out); the outcome is still sent.
      const recorded = this.record(key, redisKey, settings, outcome, verdict === 'trial', failure);
      await untilAborted(recorded, signal).catch(() => {});
    }
  }

  private handOn(redisKey: string): void {
    this.link.run(BREAKER_HAND_ON, [redisKey], []).catch(() => {
      // Redis away: the trial's lease expires instead.
    });
  }

  state(key: string): BreakerState | undefined {
    return this.states.get(key);
  }

  onStateChange(listener: (change: BreakerStateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async record(
    key: string,
    redisKey: string,
    settings: BreakerSettings,
    outcome: 'ok' | 'fail' | 'neutral',
    trial: boolean,
    failure: unknown,
  ): Promise<void> {
    const mode =
      settings.failureRateThreshold !== undefined
        ? [
            'rate',
            settings.failureRateThreshold,
            settings.samplingWindowMs ?? 30_000,
            // cockatiel's default: enough traffic for 5 failures a second at the threshold.
            settings.minimumRps ?? 5 / settings.failureRateThreshold,
          ]
        : ['consecutive', settings.consecutiveFailures ?? 5];
    try {
      const [, after] = (await this.link.run(
        BREAKER_RECORD,
        [redisKey],
        [outcome, trial ? '1' : '0', settings.halfOpenAfterMs, IDLE_MS, ...mode],
      )) as [BreakerState, BreakerState];
      // Opened by this call's failure (this process saw the fleet's breaker open here).
      const why = { trippedBy: breakerRule(settings), lastError: errorKind(failure) };
      this.observe(key, after, outcome === 'fail' ? why : undefined);
    } catch {
      // Not recorded (Redis away): the call's own result still stands; a lost trial's lease expires.
    }
  }

  /** Track this process's view of a key and tell listeners about each change it sees. */
  private observe(
    key: string,
    next: BreakerState,
    why?: Pick<BreakerStateChange, 'trippedBy' | 'lastError'>,
  ): void {
    const previous = this.states.get(key) ?? 'closed';
    this.states.set(key, next);
    if (previous === next) return;
    const change: BreakerStateChange = { key, from: previous, to: next };
    if (next === 'open' && why) Object.assign(change, why);
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's bug must not break the call that changed the state.
      }
    }
  }
}
