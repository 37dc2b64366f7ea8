import { BackoffRetry, DEFAULT_RETRY_DELAYS, OptionChecks, SystemClock, optionNames } from 'pristine-kernel';
import type { Checkpoint } from '../types/schemas.js';
import type { TrainingClient } from '../client/training-client.js';

/** Which checkpoint a recovery restarts from: the run's last one, or a `tinker://` path you chose. */
export type CheckpointStrategy = 'latest' | { path: string };

/** What `onRecovery` is told once a corrupted run has a new training client. */
export interface RecoveredRun {
  /** The corrupted run. */
  run_id: string;
  /** The client training the new run, restored from `checkpoint`. */
  client: TrainingClient;
  checkpoint: RecoveryCheckpoint;
  /** The attempt (1-based) that succeeded. */
  attempt: number;
  /** What you passed to `monitorRun` / `recover`. */
  metadata: Record<string, unknown>;
}

/** The checkpoint a recovery restarts from: a listed one, or only the path of a `{ path }` strategy. */
export type RecoveryCheckpoint = Pick<Checkpoint, 'tinker_path'> & Partial<Checkpoint>;

export interface RecoveryPolicyOptions {
  /** Nothing is monitored or recovered unless true. Default false (opt-in, as in Elixir tinkex). */
  enabled?: boolean;
  /** Attempts per recovery before giving up (`exhausted`). Default 3. */
  max_attempts?: number;
  /** Delay before attempt n+1: min(backoff_ms · 2^(n−1), max_backoff_ms). Default 5,000. */
  backoff_ms?: number;
  /** Default 60,000. */
  max_backoff_ms?: number;
  /** How often the monitor reads each run's state. Default 30,000. */
  poll_interval_ms?: number;
  /** Default `'latest'`. */
  checkpoint_strategy?: CheckpointStrategy;
  /** Restore the optimizer state with the weights. Default true. */
  restore_optimizer?: boolean;
  /** Called with the new client; an exception it throws is logged and ignored. */
  onRecovery?: (recovered: RecoveredRun) => void | Promise<void>;
  /** Called once the attempts are spent; an exception it throws is logged and ignored. */
  onFailure?: (run_id: string, error: unknown) => void | Promise<void>;
}

export type RecoveryPolicy = Required<Omit<RecoveryPolicyOptions, 'onRecovery' | 'onFailure'>> &
  Pick<RecoveryPolicyOptions, 'onRecovery' | 'onFailure'>;

export const RECOVERY_DEFAULTS = {
  enabled: false,
  max_attempts: 3,
  backoff_ms: 5_000,
  max_backoff_ms: 60_000,
  poll_interval_ms: 30_000,
  checkpoint_strategy: 'latest',
  restore_optimizer: true,
} as const satisfies RecoveryPolicy;

const POLICY_OPTION_NAMES = optionNames<RecoveryPolicyOptions>({
  enabled: true,
  max_attempts: true,
  backoff_ms: true,
  max_backoff_ms: true,
  poll_interval_ms: true,
  checkpoint_strategy: true,
  restore_optimizer: true,
  onRecovery: true,
  onFailure: true,
});

/**
 * A complete policy from options. Unlike Elixir tinkex (which silently falls back to defaults), a bad
 * value is a ValidationError naming the field: a typo in `max_attempts` should not quietly mean 3.
 */
export function recoveryPolicy(options: RecoveryPolicyOptions = {}): RecoveryPolicy {
  const checks = new OptionChecks('recovery policy');
  // A misspelt `enabeld: true` would leave recovery off, `max_atempts` would mean 3, without a word.
  const o = checks.root(options, { names: POLICY_OPTION_NAMES, what: 'a recovery policy option' });
  checks
    .boolean('enabled', o.enabled)
    .integer('max_attempts', o.max_attempts, 1)
    .duration('backoff_ms', o.backoff_ms)
    .duration('max_backoff_ms', o.max_backoff_ms)
    .duration('poll_interval_ms', o.poll_interval_ms)
    .boolean('restore_optimizer', o.restore_optimizer)
    .func('onRecovery', o.onRecovery)
    .func('onFailure', o.onFailure);
  const strategy = o.checkpoint_strategy;
  if (strategy !== undefined && strategy !== 'latest' && !isPathStrategy(strategy)) {
    checks.fail(
      'checkpoint_strategy',
      'oneOf',
      "must be 'latest' or { path: 'tinker://…' } ('best' is not supported)",
    );
  }
  checks.throwIfAny();
  return OptionChecks.withDefaults<RecoveryPolicy>(RECOVERY_DEFAULTS, options as Partial<RecoveryPolicy>);
}

function isPathStrategy(value: unknown): value is { path: string } {
  const path = (value as { path?: unknown } | null)?.path;
  return typeof path === 'string' && path.startsWith('tinker://');
}

/** The kernel's backoff formula, without jitter (Elixir's recovery backoff has none). */
const BACKOFF = new BackoffRetry(new SystemClock(), { ...DEFAULT_RETRY_DELAYS, jitter: 0 });

/** The wait before the attempt after `attempt` (1-based): backoff_ms · 2^(attempt−1), capped. */
export function recoveryBackoff(policy: RecoveryPolicy, attempt: number): number {
  return BACKOFF.delayFor(Math.max(attempt - 1, 0), undefined, {
    initialDelayMs: policy.backoff_ms,
    maxDelayMs: policy.max_backoff_ms,
  });
}
